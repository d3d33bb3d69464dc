// Turns the combined program's raw output into Port's actions, reporting what Port would only
// log: failed expressions (null in Port), unusable identifiers (entity skipped), identifiers and
// relations an absent id turned into "null", itemsToParse misuse, and entities that do not fit
// their blueprint.
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { JQ_ERROR_KEY, MAX_ITEMS_TO_PARSE, isDelete } from './program.ts';
import type { EntityAction, MappedEntity, MappingResult, Problem } from './types.ts';

/** An absent GitLab id turned into a string: `null | tostring` is "null". */
const NULL_ID_MESSAGE = (consequence: string) =>
  `evaluated to the string "null" or "" (an absent id through \`tostring\`); ${consequence}. End the expression in \`| gitlab_id\`, which gives null when the id is absent`;

export type EntityChecker = (blueprint: string, entity: MappedEntity) => Array<{ path: string; message: string }>;

interface RawMappingResult {
  filter: unknown;
  items?: unknown;
  entities?: Array<Record<string, unknown>>;
}

function failedMessage(value: unknown): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value) && JQ_ERROR_KEY in value) {
    const m = (value as Record<string, unknown>)[JQ_ERROR_KEY];
    return typeof m === 'string' ? m : JSON.stringify(m);
  }
  return undefined;
}

/** Replaces failure markers with null (what Port stores) and reports each one. */
function settle(value: unknown, field: string, report: (field: string, message: string) => void): unknown {
  const failed = failedMessage(value);
  if (failed !== undefined) {
    report(field, `jq error: ${failed} (Port stores null)`);
    return null;
  }
  return value;
}

function settleFields(
  fields: unknown,
  prefix: string,
  report: (field: string, message: string) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((fields ?? {}) as Record<string, unknown>)) out[k] = settle(v, `${prefix}.${k}`, report);
  return out;
}

export function interpretResults(
  mappings: readonly BundleMapping[],
  raw: unknown,
  checkEntity?: EntityChecker,
): MappingResult {
  const actions: EntityAction[] = [];
  const problems: Problem[] = [];
  if (!Array.isArray(raw) || raw.length !== mappings.length) {
    problems.push({ message: `mapping program returned ${JSON.stringify(raw)?.slice(0, 200)}; expected one result per mapping` });
    return { actions, problems };
  }
  raw.forEach((result: RawMappingResult | null, index) => {
    if (result === null) return; // the filter did not pass
    const mapping = mappings[index]!;
    const blueprint = mapping.blueprint;
    const report = (field: string, message: string) => problems.push({ mapping: index, blueprint, field, message });
    const filterFailure = failedMessage(result.filter);
    if (filterFailure !== undefined) report('filter', `jq error: ${filterFailure} (Port treats the filter as false)`);
    if (!result.entities) {
      if (result.items !== undefined) {
        const f = failedMessage(result.items);
        report('itemsToParse', f !== undefined ? `jq error: ${f}` : `must evaluate to an array, got ${JSON.stringify(result.items)?.slice(0, 100)}`);
      }
      return;
    }
    if (typeof result.items === 'number' && result.items > MAX_ITEMS_TO_PARSE) {
      report('itemsToParse', `${result.items} items: Port processes only the first ${MAX_ITEMS_TO_PARSE}`);
    }
    for (const rawEntity of result.entities) {
      const identifier = settle(rawEntity.identifier, 'entity.identifier', report);
      if (typeof identifier !== 'string' || identifier === '') {
        report('entity.identifier', `evaluated to ${JSON.stringify(identifier)}; Port needs a non-empty string and skips this entity${identifier === null ? ' (the payload lacks the id it reads?)' : ' (add `| tostring`?)'}`);
        continue;
      }
      // Port writes (or deletes) it as given: reported, not dropped, so preview shows what Port does.
      if (identifier === 'null') report('entity.identifier', NULL_ID_MESSAGE('Port would write an entity named "null"'));
      if (isDelete(mapping)) {
        actions.push({
          action: 'delete',
          blueprint,
          entity: { identifier },
          deleteDependents: mapping.operation?.type === 'delete' ? mapping.operation.deleteDependents ?? false : false,
          mapping: index,
        });
        continue;
      }
      const entity: MappedEntity = { identifier };
      if ('title' in rawEntity) entity.title = settle(rawEntity.title, 'entity.title', report) as string | null;
      if ('icon' in rawEntity) entity.icon = settle(rawEntity.icon, 'entity.icon', report) as string | null;
      if ('team' in rawEntity) entity.team = settle(rawEntity.team, 'entity.team', report);
      if ('properties' in rawEntity) entity.properties = settleFields(rawEntity.properties, 'entity.properties', report);
      if ('relations' in rawEntity) entity.relations = settleFields(rawEntity.relations, 'entity.relations', report);
      for (const [k, v] of Object.entries(entity.relations ?? {})) {
        if ((Array.isArray(v) ? v : [v]).some((x) => x === 'null' || x === '')) report(`entity.relations.${k}`, NULL_ID_MESSAGE(`Port would relate ${identifier} to an entity named ${JSON.stringify(v)}`));
      }
      if (entity.title !== undefined && entity.title !== null && typeof entity.title !== 'string') {
        report('entity.title', `evaluated to ${JSON.stringify(entity.title)}; Port needs a string`);
      }
      for (const v of checkEntity?.(blueprint, entity) ?? []) {
        report(`entity${v.path.replace(/\//g, '.')}`, `${identifier}: ${v.message}`);
      }
      actions.push({ action: 'upsert', blueprint, entity, mapping: index });
    }
  });
  return { actions, problems };
}
