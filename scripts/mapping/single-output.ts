// Recognises jq expressions that always yield exactly one output or an error: paths with plain
// keys, literals, comparisons, arithmetic, and/or/not, `//`, pipes and a few one-to-one builtins.
// Such an expression needs no "first output" machinery (an array and a label per field), only
// `try` — the engine's biggest per-field cost. Anything else keeps the general wrapper.

const ONE_TO_ONE = new Set(['and', 'or', 'not', 'null', 'true', 'false', 'tostring', 'tonumber', 'length', 'type', 'ascii_downcase', 'ascii_upcase', 'tojson']);

const TOKEN = new RegExp(
  [
    '\\s+', // whitespace
    '"(?:[^"\\\\]|\\\\[^(])*"', // string literal without interpolation
    '[0-9]+(?:\\.[0-9]+)?', // number
    '==|!=|<=|>=|//|[<>|()+*/%-]', // operators
    '\\.(?!\\.)', // field access dot (not recursion `..`)
    '[A-Za-z_][A-Za-z0-9_]*', // identifier: a key after `.`, or a keyword/builtin
  ].join('|'),
  'y',
);

export function isSingleOutput(expression: string): boolean {
  TOKEN.lastIndex = 0;
  let previous = '';
  let depth = 0;
  while (TOKEN.lastIndex < expression.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m || m.index !== start) return false;
    const t = m[0];
    if (/^\s+$/.test(t)) continue;
    if (/^[A-Za-z_]/.test(t) && previous !== '.' && !ONE_TO_ONE.has(t)) return false;
    if (t === '(') depth++;
    if (t === ')' && --depth < 0) return false;
    previous = t;
  }
  return depth === 0 && previous !== '';
}
