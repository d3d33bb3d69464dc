// Port's evaluator quirks, reproduced identically on both engines.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadJqRuntime } from '../../scripts/jq/load-runtime.ts';
import { rewriteIsStableWhenEmbedded, rewriteSingleQuotes } from '../../scripts/jq/port-semantics.ts';
import { JqFailure, type JqRuntime } from '../../scripts/jq/runtime.ts';
import { ENGINES, NATIVE_JQ, onEngine, requireNativeEngine } from '../helpers/engines.ts';

describe('single-quote rewrite', () => {
  it('turns quotes at token edges into double quotes, as Port does', () => {
    expect(rewriteSingleQuotes("'https://x/' + .a")).toBe('"https://x/" + .a');
    expect(rewriteSingleQuotes(".status == 'success'")).toBe('.status == "success"');
  });
  it('keeps an apostrophe inside a word', () => {
    expect(rewriteSingleQuotes('"it\'s"')).toBe('"it\'s"');
  });
  it('mangles sub(\'-x\'; \'\') exactly as Port does: a quote after "(" is not rewritten', () => {
    expect(rewriteSingleQuotes("sub('-x'; '')")).toBe("sub('-x'; \"')");
  });
  it('flags expressions whose rewrite depends on what surrounds them', () => {
    expect(rewriteIsStableWhenEmbedded('.a')).toBe(true);
    expect(rewriteIsStableWhenEmbedded("' x'")).toBe(false);
  });
});

for (const engine of ENGINES) describe(`${engine} engine`, onEngine(engine), () => {
  let jq: JqRuntime;
  beforeAll(async () => {
    if (engine === 'port-native') requireNativeEngine();
    jq = await loadJqRuntime({ engine });
  });

  it('returns only the first output', () => {
    expect(jq.first('.a[]', { a: [3, 4] })).toBe(3);
  });
  it('returns null when there is no output', () => {
    expect(jq.first('empty', {})).toBeNull();
  });
  it('disables env and $ENV', () => {
    expect(jq.first('env', {})).toEqual({});
    expect(jq.first('$ENV.HOME', {})).toBeNull();
  });
  it('accepts single-quoted strings', () => {
    expect(jq.first("'abc' + .x", { x: 'd' })).toBe('abcd');
  });
  it('reports compile errors as such', () => {
    expect(() => jq.first('.a |', {})).toThrow(JqFailure);
    try {
      jq.first('.a |', {});
    } catch (err) {
      expect((err as JqFailure).kind).toBe('compile');
    }
  });
  it('reports runtime errors as such', () => {
    try {
      jq.first('.a.b', { a: 1 });
      expect.unreachable();
    } catch (err) {
      expect((err as JqFailure).kind).toBe('runtime');
    }
  });
  it('fails to compile sub(\'-x\'; \'\'), so Port would store null', () => {
    expect(() => jq.first("sub('-x'; '')", 'a-x')).toThrow(JqFailure);
  });
  it('keeps an output produced before a later error', () => {
    expect(jq.first('1, error("x")', null)).toBe(1);
  });
  it('counts unicode code points and handles unicode regexes', () => {
    expect(jq.first('.t | length', { t: 'Draft: Résumé 🚀 fix' })).toBe(19);
    expect(jq.first('.t | gsub("[^\\\\p{L}0-9]"; "_")', { t: 'v1 ü#' })).toBe('v1_ü_');
  });
  it('evaluates a batch, one first-output per input, isolating a failing input', () => {
    const out = jq.firstOfEach('.a.b', [{ a: { b: 1 } }, { a: 2 }, { a: { b: 3 } }]);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeInstanceOf(Error);
    expect(out[2]).toBe(3);
  });
});

describe("Port's native engine called directly", { tags: [NATIVE_JQ] }, () => {
  it('gives what the package wrapper gives, including quote rewriting, env and errors', async () => {
    requireNativeEngine();
    const { loadNativeRuntime } = await import('../../scripts/jq/native-runtime.ts');
    const direct = loadNativeRuntime() as JqRuntime;
    const wrapped = loadNativeRuntime({ direct: false }) as JqRuntime;
    const cases: Array<[string, unknown]> = [
      ["'abc' + .x", { x: 'd' }],
      ['env', {}],
      ['$ENV.PATH', {}],
      ['.a[]', { a: [1, 2] }],
      ['empty', {}],
      ["sub('-x'; '')", 'a-x'],
      ['.a.b', { a: 1 }],
      ['.t | length', { t: 'Résumé 🚀' }],
    ];
    for (const [expression, input] of cases) {
      const run = (r: JqRuntime) => {
        try {
          return { value: r.first(expression, input) };
        } catch (err) {
          return { kind: (err as JqFailure).kind };
        }
      };
      expect(run(direct)).toEqual(run(wrapped));
    }
  });
});
