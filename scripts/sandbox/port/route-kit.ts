// What every local Port route module shares: the request and answer shapes, the route record
// (method, path, Port's operation whose published schema checks the body) and query helpers.
import type { OperationName, SchemaCheck } from '../../port/api-schemas.ts';
import type { Writer, PortContext } from './context.ts';
import { invalid } from './errors.ts';

export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  writer: Writer;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  operation: OperationName;
  /** false only for the token route. */
  auth: boolean;
  /** Checks the body instead of `operation`'s published schema (routes Port never published a usable one for). */
  checkBody?: (body: unknown) => SchemaCheck;
  handle(req: ApiRequest): ApiAnswer;
}

export interface RouteDeps {
  ctx: PortContext;
  baseUrl(): string;
  tokenLifetimeSeconds: number;
}

/** Reads a boolean query parameter the way Port's schema declares it (`true`/`false`). */
export function boolParam(query: URLSearchParams, name: string, fallback = false): boolean {
  const v = query.get(name);
  if (v === null || v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`querystring/${name} must be true or false, got "${v}"`);
}

