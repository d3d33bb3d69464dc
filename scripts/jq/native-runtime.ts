// Port's own evaluator, @port-labs/jq-node-bindings (native libjq 1.6). It is an optional
// dependency: it builds from source with node-gyp and needs autoconf/automake/libtool.
import { createRequire } from 'node:module';
import { JqFailure, type JqRuntime } from './runtime.ts';

interface PortBindings {
  exec(input: unknown, filter: string, options?: { enableEnv?: boolean; throwOnError?: boolean }): unknown;
}

const require = createRequire(import.meta.url);

/** Loads Port's binding, or returns the reason it cannot be loaded. */
export function loadNativeRuntime(): JqRuntime | Error {
  let bindings: PortBindings;
  try {
    bindings = require('@port-labs/jq-node-bindings') as PortBindings;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const first = (expression: string, input: unknown): unknown => {
    try {
      // The binding applies Port's quote rewrite and env guard itself, and caches compiled filters.
      const value = bindings.exec(input, expression, { throwOnError: true });
      return value === undefined ? null : value;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new JqFailure(message, message.startsWith('jq: compile error') || message.includes('compile error') ? 'compile' : 'runtime');
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
