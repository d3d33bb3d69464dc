// A parser for the GraphQL query documents the local GitLab serves (GraphQL spec, October 2021,
// "Executable Definitions"): operations with variables, fields with aliases and arguments, every
// literal kind, nested selection sets. Fragments and directives are refused with a clear error:
// the product sends neither, and the local GitLab models only what the product uses (README
// "The sandbox"). Errors carry graphql-ruby's wording and locations, as GitLab answers them.

export interface Loc { line: number; column: number }

export type Value =
  | { kind: 'variable'; name: string; loc: Loc }
  | { kind: 'int'; value: number; loc: Loc }
  | { kind: 'float'; value: number; loc: Loc }
  | { kind: 'string'; value: string; loc: Loc }
  | { kind: 'boolean'; value: boolean; loc: Loc }
  | { kind: 'null'; loc: Loc }
  | { kind: 'enum'; value: string; loc: Loc }
  | { kind: 'list'; values: Value[]; loc: Loc }
  | { kind: 'object'; fields: Record<string, Value>; loc: Loc };

export interface TypeRef { name: string; nonNull: boolean; list?: TypeRef }

export interface FieldNode {
  alias?: string;
  name: string;
  args: Record<string, Value>;
  selections: FieldNode[] | null;
  loc: Loc;
}

export interface VariableDefinition { name: string; type: TypeRef; defaultValue?: Value; loc: Loc }

export interface Operation {
  operation: 'query' | 'mutation' | 'subscription';
  name?: string;
  variables: VariableDefinition[];
  selections: FieldNode[];
  loc: Loc;
}

export class GraphQLSyntaxError extends Error {
  constructor(message: string, readonly loc: Loc) {
    super(message);
  }
}

type Token =
  | { t: 'punct'; v: string; loc: Loc }
  | { t: 'name'; v: string; loc: Loc }
  | { t: 'int' | 'float'; v: string; loc: Loc }
  | { t: 'string'; v: string; loc: Loc }
  | { t: 'eof'; v: ''; loc: Loc };

/** graphql-ruby's token names, as they appear in its parse errors. */
const PUNCT_NAMES: Record<string, string> = {
  '{': 'LCURLY', '}': 'RCURLY', '(': 'LPAREN', ')': 'RPAREN', '[': 'LBRACKET', ']': 'RBRACKET', ':': 'COLON',
  '$': 'VAR_SIGN', '!': 'BANG', '=': 'EQUALS', '@': 'DIR_SIGN', '...': 'ELLIPSIS', '|': 'PIPE', '&': 'AMP',
};

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const loc = (): Loc => ({ line, column: i - lineStart + 1 });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { i++; line++; lineStart = i; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === ',' || c === '\uFEFF') { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const at = loc();
    if (src.startsWith('...', i)) { out.push({ t: 'punct', v: '...', loc: at }); i += 3; continue; }
    if ('{}()[]:$!=@|&'.includes(c)) { out.push({ t: 'punct', v: c, loc: at }); i++; continue; }
    if (/[_A-Za-z]/.test(c)) {
      const m = /^[_A-Za-z][_0-9A-Za-z]*/.exec(src.slice(i, i + 256))!;
      out.push({ t: 'name', v: m[0], loc: at });
      i += m[0].length;
      continue;
    }
    if (c === '-' || /\d/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
      if (!m) throw new GraphQLSyntaxError(`Parse error on "${c}" (error) at [${at.line}, ${at.column}]`, at);
      out.push({ t: m[2] || m[3] ? 'float' : 'int', v: m[0], loc: at });
      i += m[0].length;
      continue;
    }
    if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new GraphQLSyntaxError(`Parse error on unterminated string at [${at.line}, ${at.column}]`, at);
      const raw = src.slice(i + 3, end);
      out.push({ t: 'string', v: raw, loc: at });
      for (const ch of raw) if (ch === '\n') line++;
      i = end + 3;
      if (raw.includes('\n')) lineStart = src.lastIndexOf('\n', i) + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= src.length || src[j] === '\n') throw new GraphQLSyntaxError(`Parse error on unterminated string at [${at.line}, ${at.column}]`, at);
        const d = src[j]!;
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (e !== undefined && e in simple) { v += simple[e]; j += 2; continue; }
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) { v += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; continue; }
          throw new GraphQLSyntaxError(`Parse error on bad escape in string at [${at.line}, ${at.column}]`, at);
        }
        v += d;
        j++;
      }
      out.push({ t: 'string', v, loc: at });
      i = j + 1;
      continue;
    }
    throw new GraphQLSyntaxError(`Parse error on "${c}" (error) at [${at.line}, ${at.column}]`, at);
  }
  out.push({ t: 'eof', v: '', loc: loc() });
  return out;
}

function describeToken(tok: Token): string {
  if (tok.t === 'eof') return 'end of file';
  if (tok.t === 'punct') return `"${tok.v}" (${PUNCT_NAMES[tok.v] ?? tok.v})`;
  if (tok.t === 'name') return `"${tok.v}" (IDENTIFIER)`;
  if (tok.t === 'string') return `"${tok.v}" (STRING)`;
  return `"${tok.v}" (${tok.t.toUpperCase()})`;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token { return this.toks[this.pos]!; }
  private next(): Token { return this.toks[this.pos++]!; }
  private fail(tok: Token = this.peek()): never {
    throw new GraphQLSyntaxError(`Parse error on ${describeToken(tok)} at [${tok.loc.line}, ${tok.loc.column}]`, tok.loc);
  }
  private isPunct(v: string): boolean { const t = this.peek(); return t.t === 'punct' && t.v === v; }
  private expectPunct(v: string): Token { const t = this.next(); if (t.t !== 'punct' || t.v !== v) this.fail(t); return t; }
  private name(): string { const t = this.next(); if (t.t !== 'name') this.fail(t); return t.v; }
  private unsupported(what: string, tok: Token): never {
    throw new GraphQLSyntaxError(`${what} are not supported by the local GitLab (it serves the subset the product sends) at [${tok.loc.line}, ${tok.loc.column}]`, tok.loc);
  }

  document(): Operation[] {
    const ops: Operation[] = [];
    while (this.peek().t !== 'eof') ops.push(this.definition());
    if (!ops.length) this.fail();
    return ops;
  }

  private definition(): Operation {
    const tok = this.peek();
    if (tok.t === 'punct' && tok.v === '{') return { operation: 'query', variables: [], selections: this.selectionSet(), loc: tok.loc };
    if (tok.t === 'name' && tok.v === 'fragment') this.unsupported('Fragments', tok);
    if (tok.t !== 'name' || !['query', 'mutation', 'subscription'].includes(tok.v)) this.fail(tok);
    this.next();
    const op: Operation = { operation: tok.v as Operation['operation'], variables: [], selections: [], loc: tok.loc };
    if (this.peek().t === 'name') op.name = this.name();
    if (this.isPunct('(')) {
      this.next();
      while (!this.isPunct(')')) {
        const at = this.expectPunct('$').loc;
        const name = this.name();
        this.expectPunct(':');
        const type = this.type();
        const def: VariableDefinition = { name, type, loc: at };
        if (this.isPunct('=')) { this.next(); def.defaultValue = this.value(true); }
        op.variables.push(def);
      }
      this.next();
    }
    if (this.isPunct('@')) this.unsupported('Directives', this.peek());
    op.selections = this.selectionSet();
    return op;
  }

  private type(): TypeRef {
    let t: TypeRef;
    if (this.isPunct('[')) {
      this.next();
      const inner = this.type();
      this.expectPunct(']');
      t = { name: `[${typeString(inner)}]`, nonNull: false, list: inner };
    } else t = { name: this.name(), nonNull: false };
    if (this.isPunct('!')) { this.next(); t.nonNull = true; }
    return t;
  }

  private selectionSet(): FieldNode[] {
    this.expectPunct('{');
    const out: FieldNode[] = [];
    while (!this.isPunct('}')) {
      const tok = this.peek();
      if (tok.t === 'punct' && tok.v === '...') this.unsupported('Fragments', tok);
      if (tok.t !== 'name') this.fail(tok);
      out.push(this.field());
    }
    if (!out.length) this.fail();
    this.next();
    return out;
  }

  private field(): FieldNode {
    const loc = this.peek().loc;
    let name = this.name();
    let alias: string | undefined;
    if (this.isPunct(':')) { this.next(); alias = name; name = this.name(); }
    const args: Record<string, Value> = {};
    if (this.isPunct('(')) {
      this.next();
      while (!this.isPunct(')')) {
        const arg = this.name();
        this.expectPunct(':');
        args[arg] = this.value(false);
      }
      this.next();
    }
    if (this.isPunct('@')) this.unsupported('Directives', this.peek());
    const selections = this.isPunct('{') ? this.selectionSet() : null;
    return { ...(alias !== undefined ? { alias } : {}), name, args, selections, loc };
  }

  private value(constant: boolean): Value {
    const tok = this.next();
    const loc = tok.loc;
    if (tok.t === 'punct') {
      if (tok.v === '$' && !constant) return { kind: 'variable', name: this.name(), loc };
      if (tok.v === '[') {
        const values: Value[] = [];
        while (!this.isPunct(']')) values.push(this.value(constant));
        this.next();
        return { kind: 'list', values, loc };
      }
      if (tok.v === '{') {
        const fields: Record<string, Value> = {};
        while (!this.isPunct('}')) {
          const n = this.name();
          this.expectPunct(':');
          fields[n] = this.value(constant);
        }
        this.next();
        return { kind: 'object', fields, loc };
      }
      this.fail(tok);
    }
    if (tok.t === 'int') return { kind: 'int', value: Number(tok.v), loc };
    if (tok.t === 'float') return { kind: 'float', value: Number(tok.v), loc };
    if (tok.t === 'string') return { kind: 'string', value: tok.v, loc };
    if (tok.t === 'name') {
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'boolean', value: tok.v === 'true', loc };
      if (tok.v === 'null') return { kind: 'null', loc };
      return { kind: 'enum', value: tok.v, loc };
    }
    return this.fail(tok);
  }
}

export function typeString(t: TypeRef): string {
  return `${t.list ? `[${typeString(t.list)}]` : t.name}${t.nonNull ? '!' : ''}`;
}

/** Parses a query document into its operations; throws GraphQLSyntaxError. */
export function parseDocument(source: string): Operation[] {
  return new Parser(lex(source)).document();
}
