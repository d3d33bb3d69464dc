// The local Port: Port's REST API and webhook ingest on loopback (issue 4, "Local Port").
// Per request: fault injection → route → rate limit (`x-ratelimit-*`, 429) → body limit (413,
// before parsing) → bearer token (401) → JSON + the operation's published schema (422) →
// Port's rules and semantics in the domain modules. Ingest answers 202 and applies mappings later.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { checkRequestBody } from '../../port/api-schemas.ts';
import { INGEST_BODY_LIMIT } from '../../port/ingest-limits.ts';
import type { StoredBlueprint, StoredWebhook } from '../../port/types.ts';
import { describeErrors } from '../../schema/ajv.ts';
import { FaultInjector, FixedWindowLimiter, Router, applyFault, closeServer, listen, readRawBody, sendJson, type FaultConfig } from '../http/index.ts';
import { authenticate } from './auth.ts';
import { ensureSystemBlueprints } from './blueprints.ts';
import type { PortContext, Writer } from './context.ts';
import { defaultEvaluators, type Evaluate, type EvaluateExpression } from './default-evaluator.ts';
import { calculationEngine } from './computed/engine.ts';
import { PortApiError, INVALID_REQUEST } from './errors.ts';
import { IngestQueue, verifySignature, type IngestEvent, type IngestStats } from './ingest.ts';
import { portRoutes, type ApiRoute } from './routes.ts';
import { StatePersister, emptyState, loadState, type AuditEntry, type Credentials, type PortState, type StoredEntity } from './store.ts';
import { toWebhookView, webhookByKey } from './webhooks.ts';

/** Port's API body limit (§1.1) and the ingest limit (§1.7). */
export const API_BODY_LIMIT = 1024 * 1024;
export { INGEST_BODY_LIMIT };

export interface LocalPortOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Client credentials; generated when absent (or taken from `stateFile`). */
  credentials?: Credentials;
  /** Access-token lifetime; Port's is 3 hours. Tests shorten it to force a refresh. */
  tokenLifetimeSeconds?: number;
  /** Requests per period for the organisation (Port publishes no numbers); `false` disables. */
  rateLimit?: { limit: number; periodSeconds: number } | false;
  /** Latency, 5xx, 429 bursts, dropped connections (see scripts/sandbox/http/faults.ts). */
  faults?: FaultConfig;
  /** Persist state here (JSON, written atomically after changes) so a sandbox survives a restart. */
  stateFile?: string;
  /** Evaluates a webhook's mappings for one request; defaults to the bundle's mapping engine. */
  evaluate?: Evaluate;
  /** Evaluates one jq expression (`requestIdentifierPath`) with Port's semantics; defaults to the engine. */
  evaluateExpression?: EvaluateExpression;
  /** Clock (epoch ms) for token expiry and timestamps; tests move it instead of waiting. */
  now?: () => number;
}

export interface LocalPort {
  /** Base URL, e.g. `http://127.0.0.1:43567`; API routes are under `/v1`. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Flushes state (when persisted), stops ingest intake and closes the server. */
  close(): Promise<void>;
  /** Resolves when every accepted ingest event has been applied. */
  idle(): Promise<void>;
  /** Writes pending state to `stateFile` now. */
  flush(): Promise<void>;
  /** The fault injector: `failNext`, `throttleNext`, `dropNext`, `configure`, `stats`. */
  faults: FaultInjector;
  // Inspection helpers (copies; for tests and the sandbox command).
  blueprint(identifier: string): StoredBlueprint | undefined;
  entities(blueprint: string): StoredEntity[];
  entity(blueprint: string, identifier: string): StoredEntity | undefined;
  webhooks(): StoredWebhook[];
  auditLog(): AuditEntry[];
  ingestEvents(): IngestEvent[];
  ingestStats(): IngestStats;
  catalogPages(): string[];
  /** Requests answered per route pattern (`POST /v1/blueprints/:blueprint/entities/bulk`). */
  requestCounts(): Record<string, number>;
}

function errorBody(status: number, error: string, message: string) {
  return { status, body: { ok: false as const, error, message } };
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function startLocalPort(options: LocalPortOptions = {}): Promise<LocalPort> {
  const now = options.now ?? Date.now;
  const persisted = options.stateFile ? loadState(options.stateFile) : undefined;
  const credentials: Credentials = options.credentials ?? persisted?.credentials ?? {
    clientId: `local-${randomBytes(8).toString('hex')}`,
    clientSecret: randomBytes(24).toString('base64url'),
  };
  const state: PortState = persisted ?? emptyState(`org_${randomBytes(6).toString('hex')}`, credentials);
  state.credentials = credentials;
  let persister: StatePersister | undefined;
  const ctx: PortContext = { state, now, changed: () => persister?.markDirty() };
  if (options.stateFile) persister = new StatePersister(options.stateFile, () => state);
  ensureSystemBlueprints(ctx);
  if (!persisted) ctx.changed();

  let baseUrl = '';
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3 * 60 * 60;
  const routes = portRoutes({ ctx, baseUrl: () => baseUrl, tokenLifetimeSeconds });
  const counts: Record<string, number> = {};
  const router = new Router();
  for (const route of routes) {
    router.on(route.method, route.path, ({ req, res, params, url }) => {
      counts[`${route.method} ${route.path}`] = (counts[`${route.method} ${route.path}`] ?? 0) + 1;
      return handleApi(req, res, route, params, url);
    });
  }

  const defaults = options.evaluate && options.evaluateExpression ? undefined : defaultEvaluators();
  const evaluate: Evaluate = options.evaluate ?? defaults!.evaluate;
  const evaluateExpression: EvaluateExpression = options.evaluateExpression ?? defaults!.evaluateExpression;
  const ingest = new IngestQueue(ctx, (w) => toWebhookView(w, baseUrl), evaluate, evaluateExpression);
  const calculations = calculationEngine(ctx, defaults?.engine);

  const faults = new FaultInjector(options.faults ?? {});
  const rate = options.rateLimit === false ? undefined : options.rateLimit ?? { limit: 20_000, periodSeconds: 60 };
  const limiter = rate ? new FixedWindowLimiter({ limit: rate.limit, windowMs: rate.periodSeconds * 1000, now }) : undefined;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}) => {
    if (!res.headersSent && !res.destroyed) sendJson(res, status, body, headers);
  };

  /** Port's `x-ratelimit-*` headers for the organisation (reset as UTC epoch seconds, as documented). */
  const rateLimit = (): { headers: Record<string, string | number>; retryAfter?: number } => {
    if (!limiter || !rate) return { headers: {} };
    const d = limiter.take('org');
    const headers = {
      'x-ratelimit-period': rate.periodSeconds,
      'x-ratelimit-limit': d.limit,
      'x-ratelimit-remaining': d.remaining,
      'x-ratelimit-reset': Math.ceil(d.resetAtMs / 1000),
    };
    return d.allowed ? { headers } : { headers, retryAfter: d.retryAfterSeconds };
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, route: ApiRoute, params: Record<string, string>, url: URL): Promise<void> {
    const limit = rateLimit();
    if (limit.retryAfter !== undefined) {
      return send(res, 429, { ok: false, error: 'rate_limit_exceeded', message: `Too many requests for this organisation; retry after ${limit.retryAfter} s` }, { ...limit.headers, 'retry-after': limit.retryAfter });
    }
    const h = limit.headers;
    const raw = await readRawBody(req, API_BODY_LIMIT);
    if (!raw.ok) {
      if (raw.reason === 'too_large') return send(res, 413, { ok: false, error: 'request_too_large', message: `Request body is too large: ${raw.message} (limit is 1MiB); send fewer entities per request` }, { ...h, connection: 'close' });
      return; // aborted: nobody to answer
    }
    let writer: Writer = { origin: 'API', userAgent: req.headers['user-agent'] ?? null, by: 'anonymous' };
    try {
      if (route.auth) writer = { ...writer, by: authenticate(ctx, req.headers.authorization) };
      let body: unknown;
      const text = raw.value.toString('utf8');
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch (err) {
          throw new PortApiError(422, INVALID_REQUEST, `The request body is not valid JSON: ${(err as Error).message}`);
        }
      }
      if (body !== undefined || ['POST', 'PUT', 'PATCH'].includes(route.method)) {
        const check = route.checkBody ? route.checkBody(body ?? {}) : checkRequestBody(route.operation, body ?? {});
        if (!check.ok) throw new PortApiError(422, INVALID_REQUEST, `The json provided does not match the route's schema (${route.operation}): ${describeErrors(check.errors).slice(0, 10).join('; ')}`);
      }
      if (route.method === 'GET' || route.operation.includes('search')) await calculations.ready();
      const answer = route.handle({ params, query: url.searchParams, body: body ?? {}, writer });
      send(res, answer.status, answer.body, h);
    } catch (err) {
      if (err instanceof PortApiError) return send(res, err.status, err.body(), h);
      send(res, 500, { ok: false, error: 'internal_error', message: `The local Port failed: ${(err as Error).message}` }, h);
    }
  }

  async function handleIngest(req: IncomingMessage, res: ServerResponse, key: string, url: URL): Promise<void> {
    ingest.stats.received++;
    const raw = await readRawBody(req, INGEST_BODY_LIMIT);
    if (!raw.ok) {
      if (raw.reason === 'too_large') send(res, 413, { ok: false, error: 'request_too_large', message: `Request Entity Too Large: ${raw.message} (the ingest limit is 512KiB)` }, { connection: 'close' });
      return;
    }
    const webhook = webhookByKey(ctx, key);
    if (!webhook) return send(res, 404, { ok: false, error: 'not_found', message: 'No webhook has this ingest key' });
    const headers = lowerHeaders(req);
    const problem = verifySignature(webhook, headers, raw.value);
    if (problem) {
      ingest.stats.rejected++;
      return send(res, 401, { ok: false, error: 'unauthorized', message: `Webhook signature check failed: ${problem}` });
    }
    let body: unknown = null;
    const text = raw.value.toString('utf8');
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, { ok: false, error: 'invalid_json', message: 'The webhook body is not valid JSON' });
      }
    }
    if (webhook.enabled === false) {
      ingest.stats.dropped++; // a disabled webhook drops events (§1.7)
      return send(res, 202, { ok: true });
    }
    const webhookEventId = ingest.enqueue(webhook, { headers, body, queryParams: Object.fromEntries(url.searchParams) });
    send(res, 202, { ok: true, webhookEventId });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const decision = faults.next();
      const consumed = await applyFault(decision, req, res, {
        error: (r, status) => send(r, status, { ok: false, error: 'internal_error', message: `Injected fault: HTTP ${status}` }),
        throttle: (r, retryAfter) => send(r, 429, { ok: false, error: 'rate_limit_exceeded', message: `Injected 429: retry after ${retryAfter} s` }, {
          'retry-after': retryAfter, 'x-ratelimit-period': rate?.periodSeconds ?? 60, 'x-ratelimit-limit': rate?.limit ?? 0, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': Math.ceil(now() / 1000) + retryAfter,
        }),
      });
      if (consumed) {
        req.resume();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ingestMatch = /^\/ingest\/([^/]+)$/.exec(url.pathname);
      if (ingestMatch && req.method === 'POST') {
        counts['POST /ingest/:webhookKey'] = (counts['POST /ingest/:webhookKey'] ?? 0) + 1;
        return handleIngest(req, res, decodeURIComponent(ingestMatch[1]), url);
      }
      const match = router.match(req.method ?? 'GET', url.pathname);
      if (match.kind !== 'found') {
        req.resume();
        const e = match.kind === 'method_not_allowed'
          ? errorBody(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}; allowed: ${match.allowed.join(', ')}`)
          : match.kind === 'bad_path'
            ? errorBody(404, 'not_found', match.message)
            : errorBody(404, 'not_found', `Route ${req.method} ${url.pathname} not found`);
        return send(res, e.status, e.body);
      }
      await match.handler({ req, res, params: match.params, url, query: url.searchParams });
    })().catch((err) => send(res, 500, { ok: false, error: 'internal_error', message: (err as Error).message }));
  });

  baseUrl = await listen(server, { port: options.port ?? 0 });
  const copy = <T>(v: T): T => structuredClone(v);

  return {
    url: baseUrl,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    faults,
    async close() {
      await closeServer(server);
      await ingest.idle();
      await persister?.flush();
    },
    idle: () => ingest.idle(),
    flush: () => persister?.flush() ?? Promise.resolve(),
    blueprint: (id) => copy(state.blueprints[id]),
    entities: (bp) => copy(Object.values(state.entities[bp] ?? {})),
    entity: (bp, id) => copy(state.entities[bp]?.[id]),
    webhooks: () => Object.values(state.webhooks).map((w) => toWebhookView(w, baseUrl)),
    auditLog: () => copy(state.audit),
    ingestEvents: () => copy(ingest.events),
    ingestStats: () => ({ ...ingest.stats }),
    catalogPages: () => [...state.catalogPages],
    requestCounts: () => ({ ...counts }),
  };
}

export type { Credentials, StoredEntity, AuditEntry } from './store.ts';
export type { IngestEvent, IngestStats } from './ingest.ts';
export type { Evaluate, EvaluateExpression } from './default-evaluator.ts';
