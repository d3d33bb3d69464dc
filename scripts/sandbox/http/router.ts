/**
 * A tiny request router for the sandbox servers: method + path pattern (`/groups/:id/hooks`),
 * with each `:param` taken from one raw path segment and URL-decoded afterwards — so GitLab's
 * URL-encoded full paths (`my-group%2Fsub`) arrive as one param `my-group/sub`.
 * A trailing `*name` captures the rest of the path (decoded, slashes kept).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteContext = {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  url: URL;
  query: URLSearchParams;
};

export type RouteHandler<C extends RouteContext = RouteContext> = (ctx: C) => unknown | Promise<unknown>;

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string };

type Route<C extends RouteContext> = { method: string; pattern: string; segments: Segment[]; handler: RouteHandler<C> };

/** Result of matching: the handler with its params, or why nothing matched (404 vs 405). */
export type RouteMatch<C extends RouteContext> =
  | { kind: 'found'; handler: RouteHandler<C>; params: Record<string, string>; pattern: string }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'bad_path'; message: string };

function parsePattern(pattern: string): Segment[] {
  if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
  const parts = pattern.split('/').slice(1);
  return parts.map((p, i) => {
    if (p.startsWith(':')) return { kind: 'param', name: p.slice(1) };
    if (p.startsWith('*')) {
      if (i !== parts.length - 1) throw new Error(`"*" must be the last segment: ${pattern}`);
      return { kind: 'rest', name: p.slice(1) };
    }
    return { kind: 'literal', value: p };
  });
}

export class Router<C extends RouteContext = RouteContext> {
  private readonly routes: Route<C>[] = [];

  /** Registers a handler; `method` is upper-case (GET, POST, …). Returns `this` for chaining. */
  on(method: string, pattern: string, handler: RouteHandler<C>): this {
    this.routes.push({ method: method.toUpperCase(), pattern, segments: parsePattern(pattern), handler });
    return this;
  }
  get(pattern: string, handler: RouteHandler<C>): this { return this.on('GET', pattern, handler); }
  post(pattern: string, handler: RouteHandler<C>): this { return this.on('POST', pattern, handler); }
  put(pattern: string, handler: RouteHandler<C>): this { return this.on('PUT', pattern, handler); }
  patch(pattern: string, handler: RouteHandler<C>): this { return this.on('PATCH', pattern, handler); }
  delete(pattern: string, handler: RouteHandler<C>): this { return this.on('DELETE', pattern, handler); }

  /** Matches a method and a raw (still percent-encoded) pathname. */
  match(method: string, rawPath: string): RouteMatch<C> {
    const parts = rawPath.split('/').slice(1);
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === undefined) continue;
      if (params === null) return { kind: 'bad_path', message: `malformed percent-encoding in path ${rawPath}` };
      if (route.method !== method.toUpperCase()) { allowed.add(route.method); continue; }
      return { kind: 'found', handler: route.handler, params, pattern: route.pattern };
    }
    return allowed.size > 0 ? { kind: 'method_not_allowed', allowed: [...allowed] } : { kind: 'not_found' };
  }
}

/** undefined = no match; null = matched but a param is not valid percent-encoding. */
function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.kind === 'rest') {
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      const decoded = safeDecode(rest);
      if (decoded === null) return null;
      params[seg.name] = decoded;
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.kind === 'literal') {
      if (part !== seg.value) return undefined;
      continue;
    }
    if (part === '') return undefined;
    const decoded = safeDecode(part);
    if (decoded === null) return null;
    params[seg.name] = decoded;
  }
  return parts.length === segments.length ? params : undefined;
}

function safeDecode(s: string): string | null {
  try { return decodeURIComponent(s); } catch { return null; }
}
