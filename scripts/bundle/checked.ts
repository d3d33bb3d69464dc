// The bundle as `validate` judges it: read, schema-checked, and put through every check of
// validate.ts. `validate` prints the problems; install, render and backfill refuse to act on a
// bundle that has any (a fork's jq error or unknown blueprint would otherwise reach Port).
import { createMappingEngine, type MappingEngine } from '../mapping/engine.ts';
import { readBundle, type Bundle } from './load.ts';
import { BundleError, type BundleProblem } from './problems.ts';
import { validateBundle } from './validate.ts';

// One engine per process: its compile cache makes a second check of the same bundle (~10–40 ms)
// far cheaper than the first (~0.4–0.6 s, mostly jq 1.6 compiling the ~330 expressions).
let shared: Promise<MappingEngine> | undefined;

function validationEngine(): Promise<MappingEngine> {
  // Silent: `validate` says what jq-wasm leaves unchecked itself (engineName), and the commands
  // that go on to map load their own engine, whose loader gives the generic notice.
  shared ??= createMappingEngine({ warn: () => {} });
  return shared;
}

/** Every problem `validate` reports, and the bundle when it could be read. */
export async function checkBundle(root?: string): Promise<{ bundle?: Bundle; problems: BundleProblem[]; engineName?: string }> {
  const { bundle, problems } = readBundle(root);
  if (!bundle) return { bundle, problems };
  const engine = await validationEngine();
  problems.push(...validateBundle(bundle, engine));
  return { bundle, problems, engineName: engine.runtime.name };
}

/** The bundle, or a BundleError listing what `validate` would report. */
export async function loadCheckedBundle(root?: string): Promise<Bundle> {
  const { bundle, problems } = await checkBundle(root);
  if (!bundle || problems.length) throw new BundleError(problems);
  return bundle;
}
