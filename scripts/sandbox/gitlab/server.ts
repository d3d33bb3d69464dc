/**
 * `startLocalGitLab(options)`: a GitLab REST API v4 (and the GraphQL subset the sync reads, graphql/) on loopback, backed by a deterministic
 * generated world, with GitLab's auth errors, pagination, rate-limit headers, webhooks and
 * event delivery; plus a control API to change state and deliver events from tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Router } from '../http/router.ts';
import { sendEmpty, sendJson, sendText } from '../http/respond.ts';
import { applyFault, FaultInjector, type FaultConfig } from '../http/faults.ts';
import { FixedWindowLimiter } from '../http/rate-limit.ts';
import { closeServer, listen } from '../http/listen.ts';
import { GitLabInstance, type TokenInfo } from './instance.ts';
import { buildRoutes, type GitLabRouteContext, type Reply } from './routes.ts';
import { serveGraphQL } from './graphql/route.ts';
import { ParamError } from './params.ts';
import { resolveSeed, type SeedName, type SeedSpec } from './seed-spec.ts';
import type { ControlApi } from './control.ts';
import type { DeliveryResult } from './delivery.ts';
import type { Counts } from './world.ts';
import type { TokenUser } from './state.ts';

export type Role = 'guest' | 'planner' | 'reporter' | 'developer' | 'maintainer' | 'owner';
const ROLE_LEVEL: Record<Role, 10 | 15 | 20 | 30 | 40 | 50> = { guest: 10, planner: 15, reporter: 20, developer: 30, maintainer: 40, owner: 50 };
export type Scope = 'api' | 'read_api';

export type ExtraToken = { token?: string; role?: Role; scopes?: Scope[]; username?: string; name?: string };

export type LocalGitLabOptions = {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Preset or spec object (see seed-spec.ts). Default 'small'. */
  seed?: SeedName | (Partial<SeedSpec> & { preset?: SeedName });
  /** 'free' answers 404 on group hooks and never fires group hooks; default 'premium'. */
  tier?: 'free' | 'premium';
  /** Role of the main token's user on the top-level group; default 'owner'. */
  role?: Role;
  /** Scopes of the main token; default ['api']. */
  scopes?: Scope[];
  /** The main token value; default a random `glpat-…`. */
  token?: string;
  extraTokens?: ExtraToken[];
  faults?: FaultConfig;
  /** Authenticated API budget per user (GitLab.com: 2,000 per minute); false disables. */
  rateLimit?: { limit: number; windowMs?: number } | false;
  /** Reported by /version and in User-Agent of deliveries; default '17.11.0-ee' (premium) / '17.11.0' (free). */
  version?: string;
  /** Injectable clock (epoch ms) for auto-disable backoff, rate-limit windows and event times. */
  now?: () => number;
  /** Webhook receiver timeout (GitLab.com: 10 s). */
  hookTimeoutMs?: number;
  /** Offset pagination limit on endpoints that also offer keyset (GitLab default 50,000). */
  maxOffset?: number;
};

const CONTROL_METHODS = [
  'openMergeRequest', 'updateMergeRequest', 'mergeMergeRequest', 'closeMergeRequest', 'reopenMergeRequest', 'openIssue',
  'closeIssue', 'reopenIssue', 'runPipeline', 'deploy', 'createRelease', 'deleteRelease', 'createProject', 'destroyProject',
  'createSubgroup', 'destroySubgroup', 'addMember', 'removeMember',
  'deleteMergeRequest', 'deleteIssue', 'deletePipeline', 'transferProject', 'transferGroup', 'silently',
] as const;
type ControlFunctions = Pick<ControlApi, (typeof CONTROL_METHODS)[number]>;

export type LocalGitLab = ControlFunctions & {
  /** Instance base URL, e.g. http://127.0.0.1:41234 (REST under /api/v4). */
  url: string;
  /** A valid personal access token (role and scopes from the options). */
  token: string;
  /** Full path of the top-level group. */
  group: string;
  groupId: number;
  /** Extra tokens in the order given. */
  extraTokens: string[];
  version: string;
  tier: 'free' | 'premium';
  faults: FaultInjector;
  /** Object counts of the generated world. */
  counts(): Counts;
  /** Objects held in memory beyond the generator's prefix tables (overlay + caches), for memory-bound checks. */
  memoryStats(): { prefixEntries: number; filterCacheEntries: number; stateVersion: number };
  /** Hooks as REST renders them, plus internal failure counters. */
  hooks(): (Record<string, unknown> & { kind: 'group' | 'project'; recent_failures: number })[];
  /** Recent deliveries (newest last, at most 1,000). */
  deliveries(): DeliveryResult[];
  /** GitLab's "Resend request" of a recent delivery: same payload and Idempotency-Key, new Event-UUID; null when not in the log. */
  resendDelivery(idempotencyKey: string): Promise<DeliveryResult | null>;
  /** Authenticated requests per route pattern (`GET /api/v4/groups/:id/projects`), as the local Port has. */
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
};

function randomToken(): string {
  return `glpat-${randomBytes(15).toString('base64url')}`;
}

export async function startLocalGitLab(options: LocalGitLabOptions = {}): Promise<LocalGitLab> {
  const spec = resolveSeed(options.seed);
  const tier = options.tier ?? 'premium';
  if (tier !== 'free' && tier !== 'premium') throw new Error(`tier must be "free" or "premium", got ${JSON.stringify(tier)}`);
  const role = options.role ?? 'owner';
  if (!(role in ROLE_LEVEL)) throw new Error(`role must be one of ${Object.keys(ROLE_LEVEL).join(', ')}, got ${JSON.stringify(role)}`);
  const now = options.now ?? Date.now;
  const faults = new FaultInjector(options.faults ?? {});
  const limiter = options.rateLimit === false ? null
    : new FixedWindowLimiter({ limit: options.rateLimit?.limit ?? 2000, windowMs: options.rateLimit?.windowMs ?? 60_000, now });

  const counts: Record<string, number> = {};
  let gl: GitLabInstance | undefined;
  let router: Router<GitLabRouteContext> | undefined;
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      process.stderr.write(`local GitLab: internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${(err as Error).stack ?? err}\n`);
      if (!res.headersSent) sendJson(res, 500, { message: '500 Internal Server Error' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!gl || !router) return sendJson(res, 503, { message: '503 Service Unavailable' });
    const url = new URL(req.url ?? '/', gl.options.baseUrl);
    const consumed = await applyFault(faults.next(), req, res, {
      error: (r, status) => sendJson(r, status, { message: `${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Internal Server Error'}` }),
      throttle: (r, retryAfter) => sendText(r, 429, 'Retry later', { 'retry-after': String(retryAfter), 'ratelimit-resettime': new Date(now() + retryAfter * 1000).toUTCString() }),
    });
    if (consumed) return;
    const graphql = url.pathname === '/api/graphql';
    if (!graphql && !url.pathname.startsWith('/api/v4/')) return sendText(res, 404, 'Not Found');
    const auth = authenticate(req, url);
    // GraphQL serves anonymous requests (public data only) but refuses a token it does not know (GitLab 16.5+, MR 132149).
    if (!auth && (!graphql || tokenOf(req, url) !== undefined)) {
      return graphql ? sendJson(res, 401, { errors: [{ message: 'Invalid token' }] }) : sendJson(res, 401, { message: '401 Unauthorized' });
    }
    const headers: Record<string, string> = {};
    if (limiter && auth) {
      const d = limiter.take(`user:${auth.user.id}`);
      Object.assign(headers, {
        'ratelimit-limit': String(d.limit), 'ratelimit-name': 'throttle_authenticated_api', 'ratelimit-observed': String(d.observed),
        'ratelimit-remaining': String(d.remaining), 'ratelimit-reset': String(Math.floor(d.resetAtMs / 1000)),
      });
      if (!d.allowed) {
        req.resume();
        return sendText(res, 429, 'Retry later', { ...headers, 'retry-after': String(d.retryAfterSeconds), 'ratelimit-resettime': new Date(d.resetAtMs).toUTCString() });
      }
    }
    if (graphql) {
      const key = `${req.method ?? 'GET'} /api/graphql`;
      counts[key] = (counts[key] ?? 0) + 1;
      const out = await serveGraphQL(gl, req, url, auth);
      return sendJson(res, out.status, out.json, headers);
    }
    if (!auth) return sendJson(res, 401, { message: '401 Unauthorized' });
    const match = router.match(req.method ?? 'GET', url.pathname);
    let reply: Reply;
    if (match.kind === 'found') {
      const key = `${req.method ?? 'GET'} ${match.pattern}`;
      counts[key] = (counts[key] ?? 0) + 1;
      try {
        reply = await match.handler({ req, res, params: match.params, url, query: url.searchParams, auth }) as Reply;
      } catch (err) {
        if (!(err instanceof ParamError)) throw err;
        reply = { status: err.status, json: err.body };
      }
    } else if (match.kind === 'method_not_allowed') {
      reply = { status: 405, json: { error: '405 Not Allowed' } };
    } else if (match.kind === 'bad_path') {
      reply = { status: 400, json: { error: match.message } };
    } else {
      reply = { status: 404, json: { error: '404 Not Found' } };
    }
    req.resume();
    const h = { ...headers, ...(reply.headers ?? {}) };
    if ('json' in reply) sendJson(res, reply.status, reply.json, h);
    else if ('text' in reply) sendText(res, reply.status, reply.text, h);
    else sendEmpty(res, reply.status, h);
  }

  function tokenOf(req: IncomingMessage, url: URL): string | undefined {
    const header = req.headers['private-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    return (Array.isArray(header) ? header[0] : header) ?? bearer ?? url.searchParams.get('private_token') ?? undefined;
  }

  function authenticate(req: IncomingMessage, url: URL): TokenInfo | null {
    const token = tokenOf(req, url);
    return token ? gl!.tokens.get(token.trim()) ?? null : null;
  }

  const baseUrl = await listen(server, { port: options.port ?? 0 });
  const version = options.version ?? (tier === 'premium' ? '17.11.0-ee' : '17.11.0');
  gl = new GitLabInstance({
    spec, baseUrl, version, tier, now, hookTimeoutMs: options.hookTimeoutMs ?? 10_000, maxOffset: options.maxOffset ?? 50_000,
  });
  router = buildRoutes(gl);
  const instance = gl;

  const mainUser: TokenUser = { id: 1, name: 'Sandbox Administrator', username: 'sandbox-admin', email: 'sandbox-admin@example.com', createdAt: Date.UTC(2022, 0, 1), accessLevel: ROLE_LEVEL[role] };
  const mainToken = options.token ?? randomToken();
  instance.addToken({ token: mainToken, name: 'sandbox', scopes: options.scopes ?? ['api'], user: mainUser });
  const extraTokens = (options.extraTokens ?? []).map((t, i) => {
    const value = t.token ?? randomToken();
    if (instance.tokens.has(value)) throw new Error(`extraTokens[${i}].token duplicates another token`);
    const username = t.username ?? `sandbox-user-${i + 2}`;
    instance.addToken({
      token: value, name: t.name ?? username, scopes: t.scopes ?? ['api'],
      user: { id: i + 2, name: t.name ?? `Sandbox User ${i + 2}`, username, email: `${username}@example.com`, createdAt: Date.UTC(2022, 0, 1), accessLevel: ROLE_LEVEL[t.role ?? 'developer'] },
    });
    return value;
  });

  const control = instance.controlApi(mainUser.id);
  const bound = Object.fromEntries(CONTROL_METHODS.map((m) => [m, (control[m] as (...a: unknown[]) => unknown).bind(control)])) as ControlFunctions;

  return {
    ...bound,
    url: baseUrl, token: mainToken, group: instance.state.topGroup.fullPath, groupId: instance.state.topGroup.id, extraTokens,
    version, tier, faults,
    counts: () => instance.world.counts(),
    memoryStats: () => ({
      prefixEntries: instance.world.mrStart.length * 6 + instance.world.jobsPerPipeline.length,
      filterCacheEntries: instance.state.cache.size, stateVersion: instance.state.version,
    }),
    hooks: () => instance.hooks.all().map((h) => ({ ...instance.hooks.render(h, now()), kind: h.kind, recent_failures: h.recentFailures })),
    deliveries: () => [...instance.deliveryLog],
    resendDelivery: (idempotencyKey) => instance.events.resend(idempotencyKey),
    requestCounts: () => ({ ...counts }),
    close: () => closeServer(server),
  };
}
