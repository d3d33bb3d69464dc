// Port's own evaluator, @port-labs/jq-node-bindings (native libjq 1.6). It is an optional
// dependency: it builds from source with node-gyp and needs autoconf/automake/libtool.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { portProgram } from './port-semantics.ts';
import { JqFailure, type JqRuntime } from './runtime.ts';

interface PortBindings {
  exec(input: unknown, filter: string, options?: { enableEnv?: boolean; throwOnError?: boolean }): unknown;
}

/** The compiled addon under the package's wrapper: `exec(jsonText, filter) → {value}`. */
interface NativeAddon {
  exec(json: string, filter: string): { value?: unknown } | undefined;
}

const require = createRequire(import.meta.url);

/** How to build Port's engine where `npm ci` skipped it (Debian/Ubuntu; other systems: the same three tools). */
export const NATIVE_BUILD_STEPS = 'apt-get install -y autoconf automake libtool && npm rebuild @port-labs/jq-node-bindings';

function classify(err: unknown): JqFailure {
  const message = err instanceof Error ? err.message : String(err);
  return new JqFailure(message, message.includes('compile error') ? 'compile' : 'runtime');
}

/**
 * The package's wrapper re-applies Port's quote rewrite to the whole program on every call (a
 * regex over ~30 KB for the bundle's combined program). Calling its compiled addon directly with
 * the program rewritten once — by the same rule, scripts/jq/port-semantics.ts — gives the same
 * results (tested) for less work; the wrapper is the fallback if the addon's layout ever changes.
 */
function loadAddon(): NativeAddon | undefined {
  try {
    const dir = dirname(require.resolve('@port-labs/jq-node-bindings/package.json'));
    const addon = require(join(dir, 'build', 'Release', 'jq-node-bindings.node')) as NativeAddon;
    return typeof addon.exec === 'function' ? addon : undefined;
  } catch {
    return undefined;
  }
}

/** Loads Port's binding, or returns the reason it cannot be loaded. */
export function loadNativeRuntime(options: { direct?: boolean } = {}): JqRuntime | Error {
  let bindings: PortBindings;
  try {
    bindings = require('@port-labs/jq-node-bindings') as PortBindings;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const addon = options.direct === false ? undefined : loadAddon();
  const prepared = new Map<string, string>();
  const first = addon
    ? (expression: string, input: unknown): unknown => {
        let program = prepared.get(expression);
        if (program === undefined) {
          program = portProgram(expression);
          if (prepared.size > 1000) prepared.clear();
          prepared.set(expression, program);
        }
        try {
          const value = addon.exec(JSON.stringify(input ?? null), program)?.value;
          return value === undefined ? null : value;
        } catch (err) {
          throw classify(err);
        }
      }
    : (expression: string, input: unknown): unknown => {
        try {
          // The wrapper applies Port's quote rewrite and env guard itself, and caches compiled filters.
          const value = bindings.exec(input, expression, { throwOnError: true });
          return value === undefined ? null : value;
        } catch (err) {
          throw classify(err);
        }
      };
  return {
    name: 'port-native',
    jqVersion: 'jq-1.6',
    first,
    firstOfEach: (expression, inputs) =>
      inputs.map((input) => {
        try {
          return first(expression, input);
        } catch (err) {
          return err;
        }
      }),
  };
}
