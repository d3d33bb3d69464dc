// Compiles a list of Port mappings into ONE jq program that computes every field of every mapping
// for one input, with Port's per-expression semantics kept: each expression runs on its own
// (wrapped), yields its first output, and an error becomes a marker the engine reports and turns
// into null. One call per request instead of one per expression is what makes the engine fast.
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { isSingleOutput } from './single-output.ts';

/** Key under which the program reports a failed expression; no GitLab payload produces it. */
export const JQ_ERROR_KEY = '$__jqError';

/** Port processes at most this many `itemsToParse` items per request. */
export const MAX_ITEMS_TO_PARSE = 500;

// `first output or null, errors captured`: the label/break form of jq's `first`, inside an array
// so that no output gives null. Measured cheaper than `limit(1; f)` and identical on jq 1.6 and 1.8.
const PRELUDE =
  `def __first(f): try ([label $__out | f | ., break $__out] | .[0]) catch {"${JQ_ERROR_KEY}": .};` +
  ` def __one(f): try f catch {"${JQ_ERROR_KEY}": .};` +
  ` def __failed: type == "object" and has("${JQ_ERROR_KEY}");` +
  // Port's evaluator runs on Node: a filter passes when its value is truthy there.
  ' def __truthy: (__failed | not) and . != null and . != false and . != 0 and . != "";';

function wrap(expression: string): string {
  // Newline padding keeps Port's quote rewrite from seeing the wrapper's parentheses as neighbours.
  return `${isSingleOutput(expression) ? '__one' : '__first'}(\n${expression}\n)`;
}

function objectOf(fields: Record<string, string> | undefined): string {
  if (!fields) return '{}';
  return `{${Object.entries(fields).map(([k, e]) => `${JSON.stringify(k)}: ${wrap(e)}`).join(', ')}}`;
}

function entityProgram(mapping: BundleMapping): string {
  const e = mapping.entity;
  const parts = [`"identifier": ${wrap(e.identifier)}`];
  if (isDelete(mapping)) return `{${parts.join(', ')}}`;
  if (e.title !== undefined) parts.push(`"title": ${wrap(e.title)}`);
  if (e.icon !== undefined) parts.push(`"icon": ${wrap(e.icon)}`);
  if (e.team !== undefined) parts.push(`"team": ${wrap(e.team)}`);
  if (e.properties !== undefined) parts.push(`"properties": ${objectOf(e.properties)}`);
  if (e.relations !== undefined) parts.push(`"relations": ${objectOf(e.relations)}`);
  return `{${parts.join(', ')}}`;
}

export function isDelete(mapping: BundleMapping): boolean {
  return mapping.operation?.type === 'delete';
}

/**
 * The program's output is an array with one element per mapping: null when the filter did not
 * pass, `{filter}` when it failed, else `{filter, entities: [...]}` (plus `items`, the
 * itemsToParse value's length or its failure, when the mapping has itemsToParse).
 */
export function compileMappingsProgram(mappings: readonly BundleMapping[]): string {
  // Mappings of one event usually share a filter: evaluate each distinct filter once.
  const filters = [...new Set(mappings.map((m) => m.filter))];
  const filterValues = `[${filters.map(wrap).join(',\n')}] as $__filters |`;
  const perMapping = mappings.map((m) => {
    const entity = entityProgram(m);
    const body = m.itemsToParse === undefined
      ? `{filter: $__f, entities: [${entity}]}`
      : `(${wrap(m.itemsToParse)} as $__items | if ($__items | type) == "array"` +
        ` then {filter: $__f, items: ($__items | length), entities: [$__items[:${MAX_ITEMS_TO_PARSE}][] as $__it | ($__req + {item: $__it}) | ${entity}]}` +
        ` else {filter: $__f, items: $__items} end)`;
    // Booleans first: jq 1.6 function calls are costly, and filters are almost always true/false.
    return `($__filters[${filters.indexOf(m.filter)}] as $__f | if $__f == true or ($__f != false and $__f != null and ($__f | __truthy)) then ${body}` +
      ' elif $__f == false or $__f == null then null elif ($__f | __failed) then {filter: $__f} else null end)';
  });
  return `${PRELUDE} . as $__req |\n${filterValues}\n[${perMapping.join(',\n')}]`;
}
