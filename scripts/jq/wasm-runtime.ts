// jq 1.8.2 compiled to WebAssembly (jq-wasm, pinned). Each call runs jq's main() (~1 ms fixed
// cost), so `firstOfEach` evaluates a whole batch in one call.
import { loadJq, type Jq } from 'jq-wasm';
import { portProgram, DISABLE_ENV_PREFIX, rewriteSingleQuotes } from './port-semantics.ts';
import { JqFailure, type JqRuntime } from './runtime.ts';

function failure(stderr: string): JqFailure {
  const message = stderr.trim().split('\n')[0] ?? 'jq failed';
  return new JqFailure(message, /compile error|syntax error/.test(stderr) ? 'compile' : 'runtime');
}

function firstLine(stdout: string): unknown {
  const nl = stdout.indexOf('\n');
  const line = nl === -1 ? stdout : stdout.slice(0, nl);
  return line.trim() === '' ? undefined : JSON.parse(line);
}

export async function loadWasmRuntime(): Promise<JqRuntime> {
  const jq: Jq = await loadJq();
  const first = (expression: string, input: unknown): unknown => {
    const { stdout, stderr, exitCode } = jq.raw(JSON.stringify(input ?? null), portProgram(expression), ['-c']);
    // Like Port's binding, which asks jq for one result: an output before a later error counts.
    const value = firstLine(stdout);
    if (value !== undefined) return value;
    if (exitCode !== 0 || stderr.trim()) throw failure(stderr);
    return null;
  };
  const firstOfEach = (expression: string, inputs: readonly unknown[]): unknown[] => {
    if (inputs.length <= 1) return inputs.map((i) => first(expression, i));
    const batch = `${DISABLE_ENV_PREFIX}[.[] | ([limit(1; (\n${rewriteSingleQuotes(expression)}\n))] | if length == 0 then null else .[0] end)]`;
    const { stdout, exitCode } = jq.raw(JSON.stringify(inputs), batch, ['-c']);
    if (exitCode === 0) {
      const values = firstLine(stdout);
      if (Array.isArray(values) && values.length === inputs.length) return values;
    }
    // One input made the program fail: fall back to one call each so the others still succeed.
    return inputs.map((input) => {
      try {
        return first(expression, input);
      } catch (err) {
        return err;
      }
    });
  };
  return { name: 'jq-wasm', jqVersion: jq.version, first, firstOfEach };
}
