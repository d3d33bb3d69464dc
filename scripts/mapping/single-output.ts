// Recognises jq expressions that always yield exactly one output or an error: paths with plain
// keys, literals, comparisons, arithmetic, and/or/not, `//`, pipes, `if` with all its branches,
// `… as $x | …`, slices and indexes with single-output contents, array constructions (always one
// array), object constructions with single-output values, calls of one-to-one builtins with
// single-output arguments, and the `def name: …;` prefixes that render inlines from
// mappings/functions.yaml (their bodies are checked by the same rules). Such an expression needs
// no "first output" machinery (an array and a label per field), only `try` — the engine's biggest
// per-field cost. Anything else (`,`, `[]` iteration, `?`, `..`, `empty`, `try`, `range`, string
// interpolation, …) keeps the general wrapper.

/** Builtins that map one input to one output (or an error) when their arguments do too. */
const ONE_TO_ONE = new Set([
  'null', 'true', 'false', 'not', 'tostring', 'tonumber', 'tojson', 'fromjson', 'length', 'utf8bytelength', 'type', 'keys', 'has',
  'ascii_downcase', 'ascii_upcase', 'explode', 'implode', 'test', 'sub', 'gsub', 'startswith', 'endswith', 'ltrimstr', 'rtrimstr',
  'split', 'join', 'add', 'any', 'all', 'sort', 'unique', 'reverse', 'floor', 'sqrt', 'min', 'max',
]);
/** Keywords of the forms above; `end` closes a term (so `end[0]` indexes). */
const KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'end', 'and', 'or', 'as', 'def']);

const TOKEN = new RegExp(
  [
    '\\s+', // whitespace
    '"(?:[^"\\\\]|\\\\[^(])*"', // string literal without interpolation
    '[0-9]+(?:\\.[0-9]+)?', // number
    '==|!=|<=|>=|//|[<>|+*/%-]', // operators
    '\\.\\.', // recursion: rejected (tokenised so that array constructions can hold it)
    '\\.', // field access dot
    '\\$[A-Za-z_][A-Za-z0-9_]*', // variable
    '[A-Za-z_][A-Za-z0-9_]*', // identifier: a key after `.`, a keyword, a builtin or a defined name
    '[()[\\]{}:;,]', // brackets and separators
    '\\?|@[A-Za-z0-9_]+', // `?` (zero or one output) and formats: rejected outside array constructions
  ].join('|'),
  'y',
);

type Frame = 'paren' | 'call' | 'index' | 'object';

function tokens(expression: string): string[] | undefined {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m || m.index !== start) return undefined;
    if (!/^\s+$/.test(m[0])) out.push(m[0]);
  }
  return out;
}

/** True when the token ends a term, so that a following `[` indexes it rather than building an array. */
function endsTerm(previous: string | undefined, beforePrevious: string | undefined): boolean {
  if (previous === undefined) return false;
  if (previous === '.' || previous === ']' || previous === ')' || previous === '}' || previous === 'end') return true;
  if (previous.startsWith('$') || previous.startsWith('"')) return true;
  return /^[A-Za-z_]/.test(previous) && (beforePrevious === '.' || !KEYWORDS.has(previous));
}

export function isSingleOutput(expression: string): boolean {
  const t = tokens(expression);
  if (!t || t.length === 0) return false;
  const stack: Frame[] = [];
  const defined = new Set<string>();
  let openDefs = 0;
  let bodyTokens = 0; // tokens after the last def: the expression proper must not be empty
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    const prev = t[i - 1];
    const top = stack[stack.length - 1];
    bodyTokens++;
    if (tok === '..' || tok === '?' || tok.startsWith('@')) return false;
    if (tok === 'def') {
      // `def name:` only (a parameter could be any filter); the body is checked like the rest.
      const name = t[i + 1];
      if (stack.length || !name || !/^[A-Za-z_]\w*$/.test(name) || t[i + 2] !== ':') return false;
      defined.add(name);
      openDefs++;
      i += 2;
      continue;
    }
    if (tok === '[') {
      if (endsTerm(prev, t[i - 2])) {
        if (t[i + 1] === ']') return false; // `[]` iterates
        stack.push('index');
        continue;
      }
      // An array construction yields exactly one array, whatever is inside: skip to its `]`.
      let depth = 0;
      for (; i < t.length; i++) {
        if (t[i] === '[') depth++;
        else if (t[i] === ']' && --depth === 0) break;
      }
      if (depth !== 0) return false;
      continue;
    }
    if (tok === '(') {
      stack.push(prev !== undefined && /^[A-Za-z_]/.test(prev) && t[i - 2] !== '.' && !KEYWORDS.has(prev) ? 'call' : 'paren');
      continue;
    }
    if (tok === '{') {
      stack.push('object');
      continue;
    }
    if (tok === ')' || tok === ']' || tok === '}') {
      const expected = tok === ')' ? ['paren', 'call'] : tok === ']' ? ['index'] : ['object'];
      if (!top || !expected.includes(top)) return false;
      stack.pop();
      continue;
    }
    if (tok === ',') {
      if (top !== 'object') return false; // anywhere else `,` yields both sides
      continue;
    }
    if (tok === ';') {
      if (top === 'call') continue; // separates arguments
      if (stack.length || openDefs === 0) return false;
      openDefs--; // ends a def body
      bodyTokens = 0;
      continue;
    }
    if (tok === ':') {
      if (top !== 'object' && top !== 'index') return false;
      continue;
    }
    if (/^[A-Za-z_]/.test(tok) && prev !== '.') {
      const objectKey = top === 'object' && (t[i + 1] === ':' || ((prev === '{' || prev === ',') && (t[i + 1] === ',' || t[i + 1] === '}')));
      if (!objectKey && !ONE_TO_ONE.has(tok) && !KEYWORDS.has(tok) && !defined.has(tok)) return false;
    }
  }
  return stack.length === 0 && openDefs === 0 && bodyTokens > 0;
}
