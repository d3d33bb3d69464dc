// The local Port's default webhook evaluator: the bundle's mapping engine (scripts/mapping), fed
// Port's webhook mappings. Port accepts a few forms the bundle does not write (string operations,
// no filter); they are normalised here to the engine's form with the same meaning.
import type { BundleMapping } from '../../../schemas/mapping.schema.ts';
import { createMappingEngine, type MappingEngine } from '../../mapping/engine.ts';
import type { MappingResult, Problem, WebhookRequest } from '../../mapping/types.ts';
import type { StoredWebhook, WebhookMapping } from '../../port/types.ts';

export type Evaluate = (webhook: StoredWebhook, request: WebhookRequest) => Promise<MappingResult>;
export type EvaluateExpression = (expression: string, input: unknown) => Promise<unknown>;

/** Port's mapping forms → the engine's: `"delete"` deletes dependents, a missing filter is `true`. */
export function toBundleMappings(mappings: readonly WebhookMapping[]): { mappings: BundleMapping[]; problems: Problem[] } {
  const out: BundleMapping[] = [];
  const problems: Problem[] = [];
  mappings.forEach((m, index) => {
    const op = m.operation;
    const operation =
      op === 'delete' ? { type: 'delete' as const, deleteDependents: true }
      : typeof op === 'object' && op.type === 'delete' ? { type: 'delete' as const, deleteDependents: op.deleteDependents ?? false }
      : undefined;
    const e = m.entity;
    const strings = (o: Record<string, unknown> | undefined, field: string) => {
      const kept: Record<string, string> = {};
      for (const [k, v] of Object.entries(o ?? {})) {
        if (typeof v === 'string') kept[k] = v;
        else problems.push({ mapping: index, blueprint: m.blueprint, field: `entity.${field}.${k}`, message: 'search-query values are not evaluated by the local Port; the field is left out' });
      }
      return kept;
    };
    if (typeof e.identifier !== 'string') {
      problems.push({ mapping: index, blueprint: m.blueprint, field: 'entity.identifier', message: 'search-query identifiers are not evaluated by the local Port; the mapping is skipped' });
      out.push({ blueprint: m.blueprint, filter: 'false', entity: { identifier: 'null' } }); // keeps later mapping indexes aligned
      return;
    }
    const entity: BundleMapping['entity'] = { identifier: e.identifier };
    if (typeof e.title === 'string') entity.title = e.title;
    if (typeof e.icon === 'string') entity.icon = e.icon;
    if (typeof e.team === 'string') entity.team = e.team;
    if (e.properties) entity.properties = strings(e.properties, 'properties');
    if (e.relations) entity.relations = strings(e.relations as Record<string, unknown>, 'relations');
    out.push({ blueprint: m.blueprint, filter: m.filter ?? 'true', ...(m.itemsToParse ? { itemsToParse: m.itemsToParse } : {}), ...(operation ? { operation } : {}), entity });
  });
  return { mappings: out, problems };
}

/** Lazily loads the engine once (jq runtimes take a moment to start). */
export function defaultEvaluators(): { evaluate: Evaluate; evaluateExpression: EvaluateExpression; engine: () => Promise<MappingEngine> } {
  let engine: Promise<MappingEngine> | undefined;
  const get = () => (engine ??= createMappingEngine({ warn: () => {} }));
  // The engine compiles one program per mappings array (cached by identity): keep one array per
  // distinct mapping list so that every event of a webhook reuses the compiled program.
  const converted = new Map<string, ReturnType<typeof toBundleMappings>>();
  const convert = (mappings: readonly WebhookMapping[]) => {
    const key = JSON.stringify(mappings);
    let c = converted.get(key);
    if (!c) {
      if (converted.size >= 64) converted.clear();
      c = toBundleMappings(mappings);
      converted.set(key, c);
    }
    return c;
  };
  return {
    engine: get,
    async evaluate(webhook, request) {
      const { mappings, problems } = convert(webhook.mappings ?? []);
      const result = (await get()).evaluateWebhook(mappings, request);
      return { actions: result.actions, problems: [...problems, ...result.problems] };
    },
    async evaluateExpression(expression, input) {
      const { value, error } = (await get()).evaluateExpression(expression, input);
      return error ? null : value; // Port turns jq errors into null
    },
  };
}
