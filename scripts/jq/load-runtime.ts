// Picks the jq engine: Port's native binding when it is installed (it is what Port runs),
// otherwise jq-wasm — saying so once, so that users know which engine their preview used.
import { loadNativeRuntime, NATIVE_BUILD_STEPS } from './native-runtime.ts';
import { loadWasmRuntime } from './wasm-runtime.ts';
import type { JqRuntime, JqRuntimeName } from './runtime.ts';

let warned = false;
const cache = new Map<string, Promise<JqRuntime>>();

export interface LoadRuntimeOptions {
  /** Force one engine; `PORT_GITLAB_JQ_ENGINE` does the same from the environment. */
  engine?: JqRuntimeName;
  /** Where the one-time fallback notice goes (stderr by default). */
  warn?: (message: string) => void;
}

export function loadJqRuntime(options: LoadRuntimeOptions = {}): Promise<JqRuntime> {
  const wanted = options.engine ?? (process.env.PORT_GITLAB_JQ_ENGINE as JqRuntimeName | undefined) ?? 'auto';
  let runtime = cache.get(wanted);
  if (!runtime) {
    runtime = pick(wanted, options.warn ?? ((m) => process.stderr.write(m + '\n')));
    cache.set(wanted, runtime);
  }
  return runtime;
}

async function pick(wanted: string, warn: (m: string) => void): Promise<JqRuntime> {
  if (wanted === 'jq-wasm') return loadWasmRuntime();
  const native = loadNativeRuntime();
  if (!(native instanceof Error)) return native;
  if (wanted === 'port-native') {
    throw new Error(
      `Port's jq engine (@port-labs/jq-node-bindings) is not installed: ${native.message.split('\n')[0]}. ` +
        `It builds from source with autotools: on Debian run \`${NATIVE_BUILD_STEPS}\`.`,
    );
  }
  if (wanted !== 'auto') throw new Error(`Unknown jq engine "${wanted}" (PORT_GITLAB_JQ_ENGINE): use port-native or jq-wasm.`);
  if (!warned) {
    warned = true;
    warn('port-gitlab: Port\'s native jq engine is not installed; using jq-wasm (jq 1.8). Results are the same for this bundle (tested); see README "jq engines".');
  }
  return loadWasmRuntime();
}
