// `validate`'s probe for identifiers made of nothing: every identifier and relation expression is
// run on an input that carries no data at all (a webhook request with an empty body, a backfill
// input with empty objects). A right expression then yields null (Port skips the entity, sets no
// relation); one that yields a string made it up — `null | tostring` is "null", `"\(.a)-\(.b)"`
// is "null-null" — and Port would write, or relate to, an entity of that name for every payload
// that lacks the id (real ones do: older GitLab versions left blocks out).
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import type { MappingEngine } from '../mapping/engine.ts';
import type { Bundle } from './load.ts';
import type { BundleProblem } from './problems.ts';
import { inlineFunctions } from './inline-functions.ts';

const EMPTY_WEBHOOK_INPUT = { headers: {}, body: {}, queryParams: {} };
const EMPTY_BACKFILL_INPUT = { object: {}, parent: {}, gitlab: { url: 'https://gitlab.example.com' } };

/** A string an absent value turned into: empty, or with "null" as one of its words ("null", "null-64"). */
export function isMadeUpIdentifier(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || /(^|[^\p{L}\p{N}])null($|[^\p{L}\p{N}])/u.test(value));
}

function probeMapping(file: string, base: string, m: BundleMapping, input: unknown, bundle: Bundle, engine: MappingEngine): BundleProblem[] {
  const out: BundleProblem[] = [];
  const probe = (path: string, expression: string, what: string) => {
    const { value } = engine.evaluateExpression(inlineFunctions(expression, bundle.functions), input);
    if (!isMadeUpIdentifier(value)) return;
    out.push({
      file,
      path: `${base}${path}`,
      message: `yields ${JSON.stringify(value)} when the payload lacks the id it reads: Port would ${what} an entity named ${JSON.stringify(value)}`,
      fix: 'end it in `| gitlab_id` (null when absent) rather than `| tostring`, and build joined identifiers with `[a, b] | joined_id`',
    });
  };
  probe('/entity/identifier', m.entity.identifier, m.operation?.type === 'delete' ? 'delete' : 'write');
  for (const [k, e] of Object.entries(m.entity.relations ?? {})) probe(`/entity/relations/${k}`, e, 'relate to');
  return out;
}

export function missingIdProblems(bundle: Bundle, engine: MappingEngine): BundleProblem[] {
  const out: BundleProblem[] = [];
  for (const { file, content } of bundle.events) {
    content.mappings.forEach((m, i) => out.push(...probeMapping(file, `/mappings/${i}`, m, EMPTY_WEBHOOK_INPUT, bundle, engine)));
  }
  for (const { file, content } of bundle.backfill) {
    content.mappings.forEach((m, i) => out.push(...probeMapping(file, `/mappings/${i}`, m, EMPTY_BACKFILL_INPUT, bundle, engine)));
  }
  return out;
}
