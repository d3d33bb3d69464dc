// The mapping engine: evaluates Port webhook mappings (and the backfill's REST mappings, which use
// the same form) with Port's semantics on either jq engine. One compiled program per mapping list,
// one jq call per request (native) or per batch (wasm).
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { loadJqRuntime } from '../jq/load-runtime.ts';
import { JqFailure, type JqRuntime, type JqRuntimeName } from '../jq/runtime.ts';
import { interpretResults, type EntityChecker } from './interpret.ts';
import { compileMappingsProgram } from './program.ts';
import type { MappingResult, Problem, WebhookRequest } from './types.ts';

export interface MappingEngineOptions {
  engine?: JqRuntimeName;
  /** Checks each upserted entity against its blueprint (types, formats, enums, identifier). */
  checkEntity?: EntityChecker;
  warn?: (message: string) => void;
}

interface CompiledMappings {
  program: string;
  /** Expressions that do not compile: Port evaluates them to null; reported on every evaluation. */
  compileProblems: Problem[];
}

export interface MappingEngine {
  readonly runtime: JqRuntime;
  /** What Port does with one webhook request. */
  evaluateWebhook(mappings: readonly BundleMapping[], request: WebhookRequest): MappingResult;
  /** The same for many requests, batched into as few jq calls as the engine allows. */
  evaluateWebhookBatch(mappings: readonly BundleMapping[], requests: readonly WebhookRequest[]): MappingResult[];
  /** Backfill: each input is `{object, parent, gitlab}`; one result per input. */
  evaluateBackfill(mappings: readonly BundleMapping[], inputs: readonly unknown[]): MappingResult[];
  /** One expression with Port's semantics: its first output, or the error Port would swallow. */
  evaluateExpression(expression: string, input: unknown): { value: unknown; error?: string };
  /** The compile error of an expression, or undefined when it compiles. */
  compileError(expression: string): string | undefined;
  /** Compile errors of many expressions at once (only the failing ones are in the map). */
  compileErrors(expressions: readonly string[]): Map<string, string>;
}

/** Port lowercases header names (its API gateway may change their case). */
export function normaliseRequest(request: WebhookRequest): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = String(v);
  return { headers, body: request.body ?? null, queryParams: request.queryParams ?? {} };
}

function expressionsOf(m: BundleMapping): Array<[string, string]> {
  const out: Array<[string, string]> = [['filter', m.filter], ['entity.identifier', m.entity.identifier]];
  if (m.itemsToParse !== undefined) out.push(['itemsToParse', m.itemsToParse]);
  for (const key of ['title', 'icon', 'team'] as const) if (m.entity[key] !== undefined) out.push([`entity.${key}`, m.entity[key]!]);
  for (const [k, e] of Object.entries(m.entity.properties ?? {})) out.push([`entity.properties.${k}`, e]);
  for (const [k, e] of Object.entries(m.entity.relations ?? {})) out.push([`entity.relations.${k}`, e]);
  return out;
}

export async function createMappingEngine(options: MappingEngineOptions = {}): Promise<MappingEngine> {
  const runtime = await loadJqRuntime({ engine: options.engine, warn: options.warn });
  const compiled = new WeakMap<readonly BundleMapping[], CompiledMappings>();
  const compileErrors = new Map<string, string | null>(); // expression → error, or null when it compiles

  const compileOnce = (program: string): string | undefined => {
    try {
      runtime.first(program, null);
    } catch (err) {
      if (err instanceof JqFailure && err.kind === 'compile') return err.message;
    }
    return undefined;
  };

  const compileError = (expression: string): string | undefined => {
    let result = compileErrors.get(expression);
    if (result === undefined) {
      result = compileOnce(expression) ?? null;
      compileErrors.set(expression, result);
    }
    return result ?? undefined;
  };

  // Compiling is jq 1.6's slow part (tens of ms per program), so expressions are checked together
  // — in one program that never runs them — and only a failing group is split to find the culprit.
  const checkAll = (expressions: readonly string[]): Map<string, string> => {
    const unknown = [...new Set(expressions)].filter((e) => !compileErrors.has(e));
    const bisect = (group: string[]): void => {
      if (!group.length) return;
      if (group.length === 1) {
        compileError(group[0]!);
        return;
      }
      const probe = `if false then [${group.map((e) => `(\n${e}\n)`).join(',')}] else null end`;
      if (compileOnce(probe) === undefined) {
        for (const e of group) compileErrors.set(e, null);
        return;
      }
      const half = Math.ceil(group.length / 2);
      bisect(group.slice(0, half));
      bisect(group.slice(half));
    };
    bisect(unknown);
    const failed = new Map<string, string>();
    for (const e of expressions) {
      const error = compileErrors.get(e);
      if (error) failed.set(e, error);
    }
    return failed;
  };

  const compile = (mappings: readonly BundleMapping[]): CompiledMappings => {
    let c = compiled.get(mappings);
    if (c) return c;
    const compileProblems: Problem[] = [];
    const failed = checkAll(mappings.flatMap((m) => expressionsOf(m).map(([, e]) => e)));
    // A field that does not compile would break the whole combined program: replace it by
    // `null`, which is exactly what Port produces for it.
    const safe = mappings.map((m, index) => {
      const copy: BundleMapping = structuredClone(m);
      for (const [field, expression] of expressionsOf(m)) {
        const error = failed.get(expression);
        if (!error) continue;
        compileProblems.push({ mapping: index, blueprint: m.blueprint, field, message: `does not compile (Port yields null): ${error}` });
        setField(copy, field, 'null');
      }
      return copy;
    });
    c = { program: compileMappingsProgram(safe), compileProblems };
    compiled.set(mappings, c);
    return c;
  };

  const evaluateMany = (mappings: readonly BundleMapping[], inputs: readonly unknown[]): MappingResult[] => {
    const { program, compileProblems } = compile(mappings);
    const raws = runtime.firstOfEach(program, inputs);
    return raws.map((raw) => {
      if (raw instanceof Error) return { actions: [], problems: [...compileProblems, { message: `mapping program failed: ${raw.message}` }] };
      const result = interpretResults(mappings, raw, options.checkEntity);
      if (compileProblems.length) result.problems.unshift(...compileProblems);
      return result;
    });
  };

  return {
    runtime,
    evaluateWebhook: (mappings, request) => evaluateMany(mappings, [normaliseRequest(request)])[0]!,
    evaluateWebhookBatch: (mappings, requests) => evaluateMany(mappings, requests.map(normaliseRequest)),
    evaluateBackfill: (mappings, inputs) => evaluateMany(mappings, inputs),
    evaluateExpression(expression, input) {
      try {
        return { value: runtime.first(expression, input) };
      } catch (err) {
        return { value: null, error: err instanceof Error ? err.message : String(err) };
      }
    },
    compileError,
    compileErrors: checkAll,
  };
}

function setField(mapping: BundleMapping, field: string, expression: string): void {
  const [head, second, third] = field.split('.');
  if (head === 'filter') mapping.filter = expression;
  else if (head === 'itemsToParse') mapping.itemsToParse = expression;
  else if (second === 'properties' || second === 'relations') mapping.entity[second]![third!] = expression;
  else (mapping.entity as Record<string, unknown>)[second!] = expression;
}
