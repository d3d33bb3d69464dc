// Port's published request/response schemas (schemas/port-api/, one OpenAPI operation per file),
// compiled once with ajv. The installer's client, `validate` and the local Port all check bodies
// against these, so that what passes here is what the real Port accepts.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAjv } from '../schema/ajv.ts';
import type { ErrorObject, ValidateFunction } from 'ajv';

const DIR = fileURLToPath(new URL('../../schemas/port-api/', import.meta.url));
/** Operations Port published once and withdrew (the page create/patch routes); names keep the folder. */
const HISTORICAL = 'historical-2024-03/';

export interface PortOperation {
  /** File name without `.json`, e.g. `create-a-blueprint`. */
  name: string;
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestSchema?: object;
  responses: Record<string, { description?: string; schema?: object }>;
}

export type OperationName =
  | 'change-a-blueprint' | 'change-a-webhook' | 'change-an-entity' | 'create-a-blueprint'
  | 'create-a-webhook' | 'create-an-access-token' | 'create-an-entity' | 'create-multiple-entities'
  | 'delete-a-blueprint' | 'delete-a-webhook' | 'delete-all-entities-of-a-blueprint'
  | 'delete-an-entity' | 'delete-multiple-entities' | 'get-a-blueprint'
  | 'get-a-blueprints-entity-count' | 'get-a-webhook' | 'get-all-blueprints'
  | 'get-all-entities-of-a-blueprint' | 'get-all-webhooks' | 'get-an-entity' | 'get-audit-logs'
  | 'search-a-blueprints-entities' | 'search-entities' | 'update-a-blueprint' | 'update-a-webhook'
  | 'update-an-entity'
  // Scorecards and pages (docs commit 4893974, 2026-01; see schemas/port-api/README.md).
  | 'create-a-scorecard' | 'change-a-scorecard' | 'change-scorecards' | 'delete-a-scorecard'
  | 'get-a-blueprints-scorecards' | 'get-a-scorecard' | 'get-all-scorecards' | 'get-a-page'
  | 'get-all-pages-in-your-portal' | 'delete-a-page' | 'update-a-widget' | 'delete-a-widget'
  // Withdrawn in 2024-06 (schemas/port-api/historical-2024-03/): the only published page bodies.
  | 'historical-2024-03/create-pages' | 'historical-2024-03/patch-a-page' | 'historical-2024-03/create-a-widget-in-a-page';

let operations: Map<string, PortOperation> | undefined;

/**
 * Port's docs inline every `$ref`, and a recursive query schema (a rule that is itself a
 * `{combinator, rules}` query) is published as the string `circular(/schemas/entitiesQuery)`.
 * Put the recursion back: point it at the enclosing query object, the schema that owns `rules`.
 * A few published `required` lists repeat a name; they are de-duplicated so ajv accepts them.
 */
function restoreCircularRefs(schema: unknown, pointer = '#'): unknown {
  if (typeof schema === 'string' && schema.startsWith('circular(')) {
    const owner = pointer.replace(/\/properties\/rules\/items\/anyOf\/\d+$/, '');
    return { $ref: owner === '#' ? '#' : owner };
  }
  if (Array.isArray(schema)) return schema.map((s, i) => restoreCircularRefs(s, `${pointer}/${i}`));
  if (schema && typeof schema === 'object') {
    let node = schema as Record<string, unknown>;
    // `{type: object, properties: "circular()", …}`: a nested query whose properties are the owner's.
    if (node.properties === 'circular()') return restoreCircularRefs('circular(self)', pointer);
    // Some published `required` lists repeat a name (e.g. `["ok", "entities", "errors", "ok"]`).
    if (Array.isArray(node.required)) node = { ...node, required: [...new Set(node.required as string[])] };
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, restoreCircularRefs(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)]),
    );
  }
  return schema;
}

function load(): Map<string, PortOperation> {
  if (operations) return operations;
  operations = new Map();
  const files = [
    ...readdirSync(DIR).filter((f) => f.endsWith('.json')),
    ...readdirSync(DIR + HISTORICAL).filter((f) => f.endsWith('.json')).map((f) => HISTORICAL + f),
  ].sort();
  for (const file of files) {
    const raw = JSON.parse(readFileSync(DIR + file, 'utf8'));
    const name = file.slice(0, -'.json'.length);
    const responses: PortOperation['responses'] = {};
    for (const [status, r] of Object.entries<any>(raw.responses ?? {})) {
      const schema = r.content?.['application/json']?.schema;
      responses[status] = { description: r.description, schema: schema && (restoreCircularRefs(schema) as object) };
    }
    operations.set(name, {
      name,
      method: String(raw.method).toUpperCase(),
      path: raw.path,
      parameters: raw.parameters ?? [],
      requestSchema: raw.requestBody?.content?.['application/json']?.schema && (restoreCircularRefs(raw.requestBody.content['application/json'].schema) as object),
      responses,
    });
  }
  return operations;
}

export function portOperation(name: OperationName): PortOperation {
  const op = load().get(name);
  if (!op) throw new Error(`No Port API schema named ${name} in ${DIR}`);
  return op;
}

export function allPortOperations(): PortOperation[] {
  return [...load().values()];
}

export interface SchemaCheck {
  ok: boolean;
  errors: ErrorObject[];
}

const validators = new Map<string, ValidateFunction>();
const ajv = createAjv();

function validatorFor(key: string, schema: object): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(schema);
    validators.set(key, v);
  }
  return v;
}

/** Checks a request body against the operation's published request schema. */
export function checkRequestBody(name: OperationName, body: unknown): SchemaCheck {
  const op = portOperation(name);
  if (!op.requestSchema) return { ok: true, errors: [] };
  const v = validatorFor(`${name}:request`, op.requestSchema);
  const ok = v(body) as boolean;
  return { ok, errors: ok ? [] : [...(v.errors ?? [])] };
}

/** Checks a response body against the operation's published schema for that status code. */
export function checkResponseBody(name: OperationName, status: number, body: unknown): SchemaCheck {
  const op = portOperation(name);
  const schema = op.responses[String(status)]?.schema;
  if (!schema) {
    return {
      ok: false,
      errors: [{ instancePath: '', schemaPath: '', keyword: 'status', params: { status }, message: `status ${status} is not documented for ${name}` } as ErrorObject],
    };
  }
  const v = validatorFor(`${name}:${status}`, schema);
  const ok = v(body) as boolean;
  return { ok, errors: ok ? [] : [...(v.errors ?? [])] };
}
