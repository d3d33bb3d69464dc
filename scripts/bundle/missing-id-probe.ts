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

interface Probed {
  file: string;
  path: string;
  expression: string;
  what: string;
}

function probedExpressions(files: ReadonlyArray<{ file: string; content: { mappings: BundleMapping[] } }>): Probed[] {
  return files.flatMap(({ file, content }) => content.mappings.flatMap((m, i): Probed[] => [
    { file, path: `/mappings/${i}/entity/identifier`, expression: m.entity.identifier, what: m.operation?.type === 'delete' ? 'delete' : 'write' },
    ...Object.entries(m.entity.relations ?? {}).map(([k, e]) => ({ file, path: `/mappings/${i}/entity/relations/${k}`, expression: e, what: 'relate to' })),
  ]));
}

/** Every probed expression on the empty input, with Port's semantics, in one engine evaluation. */
function evaluateAll(probed: Probed[], input: unknown, bundle: Bundle, engine: MappingEngine): unknown[] {
  if (!probed.length) return [];
  const properties = Object.fromEntries(probed.map((p, i) => [`e${i}`, inlineFunctions(p.expression, bundle.functions)]));
  const mapping: BundleMapping = { blueprint: 'probe', filter: 'true', entity: { identifier: '"probe"', properties } };
  const [result] = engine.evaluateBackfill([mapping], [input]);
  const values = result?.actions[0]?.entity.properties ?? {};
  return probed.map((_, i) => values[`e${i}`]);
}

export function missingIdProblems(bundle: Bundle, engine: MappingEngine): BundleProblem[] {
  const out: BundleProblem[] = [];
  for (const [files, input] of [[bundle.events, EMPTY_WEBHOOK_INPUT], [bundle.backfill, EMPTY_BACKFILL_INPUT]] as const) {
    const probed = probedExpressions(files);
    evaluateAll(probed, input, bundle, engine).forEach((value, i) => {
      if (!isMadeUpIdentifier(value)) return;
      const { file, path, what } = probed[i]!;
      out.push({
        file,
        path,
        message: `yields ${JSON.stringify(value)} when the payload lacks the id it reads: Port would ${what} an entity named ${JSON.stringify(value)}`,
        fix: 'end it in `| gitlab_id` (null when absent) rather than `| tostring`, and build joined identifiers with `[a, b] | joined_id`',
      });
    });
  }
  return out;
}
