// Validation, limits and execution of a parsed query against the local GitLab's schema subset
// (schema.ts), as GitLab's GraphQL API answers (docs.gitlab.com/api/graphql, GitLab's
// app/graphql/gitlab_schema.rb and types/base_field.rb):
//   - static errors (unknown field or argument, missing required argument, selections on a
//     scalar or none on an object, undeclared or invalid variables): `{errors: [...]}` with
//     graphql-ruby's messages, locations and extensions, no `data`, HTTP 200;
//   - limits: depth (15 anonymous, 20 authenticated) and complexity (200 anonymous, 250
//     authenticated), computed as GitLab does: 1 per field plus its children; a field with a
//     resolver costs its children + 1 (+1 with `sort`, +5 with `search`), and a connection adds
//     `complexity × min(first, last, 100) × 0.01`;
//   - connections: at most 100 nodes a page (a larger `first` is capped), keyset cursors;
//   - a field with a call limit (GitLab's Gitlab::Graphql::Limit::FieldCallCount extension)
//     resolves that many times in a request; past it each call is an execution error (the field
//     becomes null) with GitLab's message.
import { GraphQLSyntaxError, parseDocument, typeString, type FieldNode, type Operation, type Value, type VariableDefinition } from './parse.ts';

export const MAX_PAGE_SIZE = 100;
export const LIMITS = {
  anonymous: { complexity: 200, depth: 15 },
  authenticated: { complexity: 250, depth: 20 },
} as const;

export interface ArgDef { type: string; nonNull?: boolean; defaultValue?: unknown }

export interface FieldDef<C> {
  /** Named type of the result (an object type of the schema, a scalar or an enum). */
  type: string;
  nonNull?: boolean;
  list?: boolean;
  args?: Record<string, ArgDef>;
  /** A field GitLab resolves with a resolver class (its complexity formula differs). */
  resolver?: boolean;
  connection?: boolean;
  /** GitLab's FieldCallCount: how many times the field may be resolved in one request. */
  callLimit?: number;
  resolve: (parent: any, args: Record<string, unknown>, ctx: C) => unknown;
}

export interface Schema<C> {
  objects: Record<string, Record<string, FieldDef<C>>>;
  enums: Record<string, readonly string[]>;
  /** Scalars: coerce an input value (throws a message on a bad one). */
  scalars: Record<string, (v: unknown) => unknown>;
  query: string;
}

export interface GraphQLErrorJson {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

export interface GraphQLResponse { data?: Record<string, unknown> | null; errors?: GraphQLErrorJson[] }

/** An error raised while resolving a field: reported with its path, the field becomes null. */
export class FieldError extends Error {}

class StaticError extends Error {
  constructor(readonly json: GraphQLErrorJson) {
    super(json.message);
  }
}

const loc = (n: { loc: { line: number; column: number } }) => [{ line: n.loc.line, column: n.loc.column }];

function literalText(v: Value): string {
  switch (v.kind) {
    case 'variable': return `$${v.name}`;
    case 'string': return JSON.stringify(v.value);
    case 'null': return 'null';
    case 'list': return `[${v.values.map(literalText).join(', ')}]`;
    case 'object': return `{${Object.entries(v.fields).map(([k, x]) => `${k}: ${literalText(x)}`).join(', ')}}`;
    default: return String(v.value);
  }
}

export class Executor<C> {
  constructor(private readonly schema: Schema<C>) {}

  /** Runs one request: `{query, variables, operationName}` as GitLab's POST /api/graphql takes it. */
  async run(body: { query?: unknown; variables?: unknown; operationName?: unknown }, ctx: C, authenticated: boolean): Promise<GraphQLResponse> {
    if (typeof body.query !== 'string' || body.query.trim() === '') return { errors: [{ message: 'No query string was present' }] };
    let ops: Operation[];
    try {
      ops = parseDocument(body.query);
    } catch (err) {
      if (err instanceof GraphQLSyntaxError) return { errors: [{ message: err.message, locations: [err.loc] }] };
      throw err;
    }
    const name = typeof body.operationName === 'string' ? body.operationName : undefined;
    const op = name !== undefined ? ops.find((o) => o.name === name) : ops.length === 1 ? ops[0] : undefined;
    if (!op) return { errors: [{ message: name !== undefined ? `No operation named "${name}"` : 'An operation name is required' }] };
    if (op.operation !== 'query') return { errors: [{ message: `Schema is not configured for ${op.operation}s`, locations: loc(op) }] };
    const given = body.variables === undefined || body.variables === null ? {} : body.variables;
    if (typeof given !== 'object' || Array.isArray(given)) return { errors: [{ message: 'Variables must be a JSON object' }] };
    try {
      const vars = this.variables(op, given as Record<string, unknown>);
      const errors = this.validate(op.selections, this.schema.query, op, [], [op.operation]);
      if (errors.length) return { errors };
      const limits = authenticated ? LIMITS.authenticated : LIMITS.anonymous;
      const depth = this.depth(op.selections);
      if (depth > limits.depth) return { errors: [{ message: `Query has depth of ${depth}, which exceeds max depth of ${limits.depth}` }] };
      const complexity = this.complexity(op.selections, this.schema.query, vars);
      if (complexity > limits.complexity) return { errors: [{ message: `Query has complexity of ${complexity}, which exceeds max complexity of ${limits.complexity}` }] };
      const fieldErrors: GraphQLErrorJson[] = [];
      // GitLab's `queryComplexity { score limit }` reads what was computed for this query.
      const runCtx = { ...ctx, complexity: { score: complexity, limit: limits.complexity } } as C;
      const data = await this.select(op.selections, this.schema.query, null, vars, runCtx, [], fieldErrors, new Map());
      return fieldErrors.length ? { errors: fieldErrors, data } : { data };
    } catch (err) {
      if (err instanceof StaticError) return { errors: [err.json] };
      throw err;
    }
  }

  // ---- variables -------------------------------------------------------------------------------

  private variables(op: Operation, given: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const def of op.variables) {
      const has = Object.hasOwn(given, def.name);
      const raw = has ? given[def.name] : def.defaultValue !== undefined ? this.literal(def.defaultValue, {}) : undefined;
      if (raw === undefined || raw === null) {
        if (def.type.nonNull) throw this.badVariable(def, raw ?? null, 'Expected value to not be null');
        out[def.name] = null;
        continue;
      }
      const problem = this.coercionProblem(def.type.list ? null : def.type.name, raw);
      if (problem) throw this.badVariable(def, raw, problem);
      out[def.name] = this.coerce(def.type.name, raw);
    }
    return out;
  }

  private badVariable(def: VariableDefinition, value: unknown, explanation: string): StaticError {
    return new StaticError({
      message: `Variable $${def.name} of type ${typeString(def.type)} was provided invalid value`,
      locations: loc(def),
      extensions: { value, problems: [{ path: [], explanation }] },
    });
  }

  /** Why a value does not fit a named input type, or undefined. */
  private coercionProblem(type: string | null, v: unknown): string | undefined {
    if (type === null) return Array.isArray(v) ? undefined : 'Expected a list';
    if (type === 'Int') return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1 ? undefined : `Could not coerce value ${JSON.stringify(v)} to Int`;
    if (type === 'Boolean') return typeof v === 'boolean' ? undefined : `Could not coerce value ${JSON.stringify(v)} to Boolean`;
    if (type === 'String') return typeof v === 'string' ? undefined : `Could not coerce value ${JSON.stringify(v)} to String`;
    if (type === 'ID') return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? undefined : `Could not coerce value ${JSON.stringify(v)} to ID`;
    const e = this.schema.enums[type];
    if (e) return typeof v === 'string' && e.includes(v) ? undefined : `Expected ${JSON.stringify(v)} to be one of: ${e.join(', ')}`;
    const s = this.schema.scalars[type];
    if (s) {
      try { s(v); return undefined; } catch (err) { return (err as Error).message; }
    }
    return `${type} is not an input type of this schema`;
  }

  private coerce(type: string, v: unknown): unknown {
    if (type === 'ID') return String(v);
    return this.schema.scalars[type] ? this.schema.scalars[type]!(v) : v;
  }

  private literal(v: Value, vars: Record<string, unknown>): unknown {
    switch (v.kind) {
      case 'variable': return vars[v.name] ?? null;
      case 'null': return null;
      case 'list': return v.values.map((x) => this.literal(x, vars));
      case 'object': return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, this.literal(x, vars)]));
      default: return v.value;
    }
  }

  // ---- static validation -----------------------------------------------------------------------

  private validate(fields: FieldNode[], typeName: string, op: Operation, errors: GraphQLErrorJson[], path: string[]): GraphQLErrorJson[] {
    const type = this.schema.objects[typeName]!;
    for (const f of fields) {
      if (f.name === '__typename') {
        if (f.selections) errors.push({ message: `Selections can't be made on scalars (field '__typename' returns String! but has selections [${f.selections.map((s) => s.name).join(', ')}])`, locations: loc(f) });
        continue;
      }
      const def = type[f.name];
      if (!def) {
        errors.push({ message: `Field '${f.name}' doesn't exist on type '${typeName}'`, locations: loc(f), path: [...path, f.alias ?? f.name], extensions: { code: 'undefinedField', typeName, fieldName: f.name } });
        continue;
      }
      for (const [a, v] of Object.entries(f.args)) {
        const arg = def.args?.[a];
        if (!arg) {
          errors.push({ message: `Field '${f.name}' doesn't accept argument '${a}'`, locations: loc(f), extensions: { code: 'argumentNotAccepted', name: f.name, typeName: 'Field', argumentName: a } });
          continue;
        }
        if (v.kind === 'variable') {
          const declared = op.variables.find((d) => d.name === v.name);
          if (!declared) errors.push({ message: `Variable $${v.name} is used by ${op.name ?? 'anonymous query'} but not declared`, locations: loc(v), extensions: { code: 'variableNotDefined', variableName: v.name } });
          else if (declared.type.name !== arg.type || (arg.nonNull && !declared.type.nonNull && declared.defaultValue === undefined)) {
            errors.push({ message: `Nullability mismatch on variable $${v.name} and argument ${a} (${typeString(declared.type)} / ${arg.type}${arg.nonNull ? '!' : ''})`, locations: loc(v), extensions: { code: 'variableMismatch', variableName: v.name, typeName: typeString(declared.type), argumentName: a } });
          }
          continue;
        }
        const literal = v.kind === 'enum' ? v.value : this.literal(v, {});
        const problem = literal === null ? (arg.nonNull ? 'null' : undefined) : this.literalProblem(arg.type, v);
        if (problem) errors.push({ message: `Argument '${a}' on Field '${f.name}' has an invalid value (${literalText(v)}). Expected type '${arg.type}${arg.nonNull ? '!' : ''}'.`, locations: loc(v), extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: a } });
      }
      const missing = Object.entries(def.args ?? {}).filter(([a, d]) => d.nonNull && d.defaultValue === undefined && !(a in f.args)).map(([a]) => a);
      if (missing.length) errors.push({ message: `Field '${f.name}' is missing required arguments: ${missing.join(', ')}`, locations: loc(f), extensions: { code: 'missingRequiredArguments', className: 'Field', name: f.name, arguments: missing.join(', ') } });
      const isObject = def.type in this.schema.objects;
      const returns = `${def.list ? `[${def.type}!]` : def.type}${def.nonNull ? '!' : ''}`;
      if (isObject && !f.selections) errors.push({ message: `Field must have selections (field '${f.name}' returns ${returns} but has no selections. Did you mean '${f.name} { ... }'?)`, locations: loc(f), extensions: { code: 'selectionMismatch', nodeName: `field '${f.name}'`, typeName: returns } });
      else if (!isObject && f.selections) errors.push({ message: `Selections can't be made on scalars (field '${f.name}' returns ${returns} but has selections [${f.selections.map((s) => s.name).join(', ')}])`, locations: loc(f), extensions: { code: 'selectionMismatch', nodeName: `field '${f.name}'`, typeName: returns } });
      else if (isObject) this.validate(f.selections!, def.type, op, errors, [...path, f.alias ?? f.name]);
    }
    return errors;
  }

  private literalProblem(type: string, v: Value): string | undefined {
    if (this.schema.enums[type]) return v.kind === 'enum' && this.schema.enums[type]!.includes(v.value) ? undefined : 'enum';
    if (v.kind === 'enum') return 'enum';
    return this.coercionProblem(type, this.literal(v, {}));
  }

  // ---- limits ----------------------------------------------------------------------------------

  private depth(fields: FieldNode[]): number {
    return 1 + Math.max(0, ...fields.map((f) => (f.selections ? this.depth(f.selections) : 0)));
  }

  private complexity(fields: FieldNode[], typeName: string, vars: Record<string, unknown>): number {
    const type = this.schema.objects[typeName]!;
    let total = 0;
    for (const f of fields) {
      const def = type[f.name];
      if (!def) { total += 1; continue; } // __typename
      const child = f.selections ? this.complexity(f.selections, def.type, vars) : 0;
      if (!def.resolver) { total += 1 + child; continue; }
      let c = child + 1 + ('sort' in f.args ? 1 : 0) + ('search' in f.args ? 5 : 0);
      if (def.connection) {
        const arg = (n: string) => { const v = f.args[n]; const x = v ? this.literal(v, vars) : undefined; return typeof x === 'number' ? x : undefined; };
        const limit = Math.min(...[arg('first'), arg('last'), MAX_PAGE_SIZE].filter((x): x is number => x !== undefined));
        c += c * limit * 0.01;
      }
      total += Math.floor(c);
    }
    return total;
  }

  // ---- execution -------------------------------------------------------------------------------

  private async select(fields: FieldNode[], typeName: string, parent: unknown, vars: Record<string, unknown>, ctx: C, path: Array<string | number>, errors: GraphQLErrorJson[], calls: Map<FieldDef<C>, number>): Promise<Record<string, unknown>> {
    const type = this.schema.objects[typeName]!;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const key = f.alias ?? f.name;
      if (f.name === '__typename') { out[key] = typeName; continue; }
      const def = type[f.name]!;
      const args: Record<string, unknown> = {};
      for (const [a, d] of Object.entries(def.args ?? {})) {
        const v = f.args[a];
        // Variables were coerced when read; literals and defaults are coerced here.
        if (v?.kind === 'variable') { if (vars[v.name] !== null && vars[v.name] !== undefined) args[a] = vars[v.name]; continue; }
        const raw = v === undefined ? d.defaultValue : v.kind === 'enum' ? v.value : this.literal(v, vars);
        if (raw !== undefined && raw !== null) args[a] = this.coerce(d.type, raw);
      }
      if (def.callLimit !== undefined) {
        const n = (calls.get(def) ?? 0) + 1;
        calls.set(def, n);
        if (n > def.callLimit) {
          errors.push({ message: `"${f.name}" field can be requested only for ${def.callLimit} ${typeName}(s) at a time.`, locations: loc(f), path: [...path, key] });
          out[key] = null;
          continue;
        }
      }
      let value: unknown;
      try {
        value = await def.resolve(parent, args, ctx);
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        errors.push({ message: err.message, locations: loc(f), path: [...path, key] });
        out[key] = null;
        continue;
      }
      out[key] = await this.complete(f, def, value, vars, ctx, [...path, key], errors, calls);
    }
    return out;
  }

  private async complete(f: FieldNode, def: FieldDef<C>, value: unknown, vars: Record<string, unknown>, ctx: C, path: Array<string | number>, errors: GraphQLErrorJson[], calls: Map<FieldDef<C>, number>): Promise<unknown> {
    if (value === null || value === undefined) return null;
    if (!(def.type in this.schema.objects)) return value;
    if (def.list) return Promise.all((value as unknown[]).map((v, i) => (v === null ? null : this.select(f.selections!, def.type, v, vars, ctx, [...path, i], errors, calls))));
    return this.select(f.selections!, def.type, value, vars, ctx, path, errors, calls);
  }
}
