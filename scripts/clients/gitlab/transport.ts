// The one place that talks HTTP to GitLab. gitbeaker 43.8 retries only 429/502, with ~0 ms
// backoff, ignores Retry-After and RateLimit-*, and applies one timeout to a whole paginated
// chain (gitlab.md §5.3–5.4). This transport fixes all of that; gitbeaker's resource classes
// use it through requester.ts, and the page iterator uses it directly.
import type { Clock } from '../shared/clock.ts';
import type { RetryEvent } from '../shared/retry-event.ts';
import { fullJitterDelay, type RetryPolicy } from '../shared/backoff.ts';
import { parseIntHeader, parseRateLimitReset, parseRetryAfter } from '../shared/rate-limit-headers.ts';
import { RateLimitGate } from '../shared/rate-limit-gate.ts';
import { redact } from '../shared/redact.ts';
import { headerUnsafeChar, headerUnsafeMessage, isHeaderValueError } from '../shared/header-value.ts';
import { GitLabApiError } from './errors.ts';
import { EndpointRateLimits } from './rate-limiter.ts';

export type GitLabMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface GitLabRequest {
  method: GitLabMethod;
  /** Path under /api/v4 without a leading slash (`groups/42/hooks`), path params encoded. */
  path?: string;
  /** Or a full URL under our API base (a `Link` header target). */
  url?: string;
  /** Or GitLab's GraphQL endpoint (`/api/graphql`, beside /api/v4): graphql.ts. */
  graphql?: boolean;
  /** Encoded query string (without `?`) appended to `path`. */
  query?: string;
  /** JSON value (sent as JSON) or FormData. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Caller's cancellation (e.g. gitbeaker's queryTimeout): aborts waits too, and is not retried. */
  signal?: AbortSignal;
  asStream?: boolean;
  /** Statuses returned instead of thrown (e.g. 404 for "does it exist?"). */
  accept?: number[];
}

export interface GitLabResponse<T = unknown> {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: T;
}

/** GitLab's retry report has the same shape as Port's. */
export type GitLabRetryEvent = RetryEvent;

export interface GitLabTransportOptions {
  /** `https://gitlab.example.com` (no /api/v4). */
  host: string;
  token: string;
  userAgent: string;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  rateLimits: Record<string, number>;
  rateLimitWindowMs: number;
  clock: Clock;
  random: () => number;
  onRetry?: (event: GitLabRetryEvent) => void;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Socket-level failures worth another try. Refused/unknown host mean a wrong GITLAB_URL: fail fast. */
const RETRY_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);
const MAX_REDIRECTS = 5;

export class GitLabTransport {
  readonly apiBase: URL;
  private readonly limits: EndpointRateLimits;
  private readonly gate: RateLimitGate;
  /** Secrets this client has sent in request bodies (hook tokens), redacted from its errors. */
  private readonly bodySecrets = new Set<string>();

  constructor(private readonly opts: GitLabTransportOptions) {
    this.apiBase = new URL(`${opts.host.replace(/\/+$/, '')}/api/v4/`);
    this.limits = new EndpointRateLimits(opts.rateLimits, opts.rateLimitWindowMs, opts.clock);
    this.gate = new RateLimitGate(opts.clock);
  }

  /** Absolute URL for a path under /api/v4 plus an encoded query. */
  urlFor(path: string, query?: string): URL {
    const u = new URL(path.replace(/^\/+/, ''), this.apiBase);
    if (query) u.search = query;
    return u;
  }

  /**
   * A URL GitLab handed us (Link header, redirect), re-rooted on our own origin: GitLab behind a
   * proxy often advertises another scheme or host, and the token must never go anywhere else.
   */
  rebase(href: string): URL {
    const given = new URL(href, this.apiBase);
    if (!given.pathname.startsWith(this.apiBase.pathname)) {
      throw new GitLabApiError({ status: 0, method: 'GET', path: given.pathname, code: 'foreign_link', attempts: 0, message: `GitLab pointed outside its API (${given.pathname}); not following it` });
    }
    return new URL(given.pathname + given.search, this.apiBase.origin);
  }

  /** `groups/42/hooks?page=2` for messages and rate-limit matching. */
  relative(u: URL): string {
    // GraphQL lives beside /api/v4: `graphql`, also its key for the client-side rate limits.
    if (!u.pathname.startsWith(this.apiBase.pathname)) return u.pathname.replace(/^.*\/api\//, '') + u.search;
    return u.pathname.slice(this.apiBase.pathname.length) + u.search;
  }

  async request<T = unknown>(req: GitLabRequest): Promise<GitLabResponse<T>> {
    // A hook body carries the hook's secret token: an error that echoes the body must not carry it on.
    const hookToken = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof hookToken === 'string') this.bodySecrets.add(hookToken);
    let url = req.url ? this.rebase(req.url) : req.graphql ? new URL('../graphql', this.apiBase) : this.urlFor(req.path ?? '', req.query);
    const method = req.method;
    const { retry } = this.opts;
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, accept: 'application/json', ...req.headers, 'private-token': this.opts.token };
    let body: string | FormData | undefined;
    if (req.body instanceof FormData) body = req.body;
    else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    let redirects = 0;
    for (let attempt = 1; attempt <= retry.maxAttempts + MAX_REDIRECTS; attempt++) {
      const rel = this.relative(url);
      await this.gate.wait(retry.maxWaitMs, req.signal);
      await this.limits.acquire(this.relative(new URL(url.pathname, url.origin)));
      this.throwIfAborted(req.signal, method, rel, attempt);
      const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body, signal, redirect: 'manual' });
      } catch (err) {
        this.throwIfAborted(req.signal, method, rel, attempt);
        if (isHeaderValueError(err)) {
          // Refused by fetch before sending: a mistyped token, not the network (never retried).
          const unsafe = headerUnsafeChar(this.opts.token);
          throw this.error({ status: 0, method, path: rel, code: 'invalid_header_value', attempts: attempt, message: unsafe ? `GITLAB_TOKEN ${headerUnsafeMessage(unsafe, 'the token from GitLab')}` : `a request header cannot be sent: ${describe(err)}` });
        }
        const timedOut = timeout.aborted;
        const code = timedOut ? 'timeout' : networkCode(err);
        const reason = timedOut ? `no answer within ${this.opts.requestTimeoutMs} ms` : `${code}: ${describe(err)}`;
        const transient = timedOut || RETRY_CODES.has(code);
        if (!transient || attempt >= retry.maxAttempts) {
          throw this.error({ status: 0, method, path: rel, code: transient ? code.toLowerCase() : 'network_error', message: reason, attempts: attempt, hint: transient ? undefined : `check GITLAB_URL (${this.opts.host})` });
        }
        await this.wait({ method, path: rel, attempt, status: 0, reason, waitMs: fullJitterDelay(attempt - 1, retry, this.opts.random) }, req.signal);
        continue;
      }
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => (resHeaders[k.toLowerCase()] = v));
      const now = this.opts.clock.now();
      this.gate.observe(parseIntHeader(resHeaders['ratelimit-remaining']), parseRateLimitReset(resHeaders['ratelimit-reset'], now));

      if (res.status >= 300 && res.status < 400 && resHeaders.location && redirects < MAX_REDIRECTS) {
        // Moved projects answer with a redirect (gitlab.md §4.1); follow it on our own origin only.
        await res.body?.cancel();
        redirects++;
        url = this.rebase(new URL(resHeaders.location, url).href);
        attempt--;
        continue;
      }
      if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) {
        return { status: res.status, headers: resHeaders, body: (await readBody(res, req.asStream)) as T };
      }
      const text = await res.text().catch(() => '');
      if (RETRY_STATUSES.has(res.status) && attempt < retry.maxAttempts) {
        const serverWait =
          parseRetryAfter(resHeaders['retry-after'], now) ??
          (res.status === 429 ? parseRateLimitReset(resHeaders['ratelimit-reset'], now) ?? parseRetryAfter(resHeaders['ratelimit-resettime'], now) : undefined);
        if (serverWait !== undefined && serverWait > retry.maxWaitMs) {
          throw this.error({
            status: res.status, method, path: rel, code: 'rate_limited', attempts: attempt, retryAfterMs: serverWait,
            message: errorMessage(text) || 'Retry later',
            hint: `GitLab asked to wait ${Math.ceil(serverWait / 1000)} s, more than the ${Math.ceil(retry.maxWaitMs / 1000)} s allowed; lower the request rate or raise the maximum wait`,
          });
        }
        const waitMs = serverWait ?? fullJitterDelay(attempt - 1, retry, this.opts.random);
        await this.wait({ method, path: rel, attempt, status: res.status, reason: `HTTP ${res.status}`, waitMs }, req.signal);
        continue;
      }
      throw this.error({ status: res.status, method, path: rel, code: res.status === 429 ? 'rate_limited' : `http_${res.status}`, message: errorMessage(text) || res.statusText || 'request failed', attempts: attempt, hint: hintFor(res.status) });
    }
    throw this.error({ status: 0, method, path: this.relative(url), code: 'too_many_redirects', message: `more than ${MAX_REDIRECTS} redirects`, attempts: retry.maxAttempts });
  }

  private async wait(event: GitLabRetryEvent, signal?: AbortSignal): Promise<void> {
    this.opts.onRetry?.(event);
    try {
      await this.opts.clock.sleep(event.waitMs, signal);
    } catch {
      this.throwIfAborted(signal, event.method, event.path, event.attempt);
    }
  }

  private throwIfAborted(signal: AbortSignal | undefined, method: string, path: string, attempts: number): void {
    if (signal?.aborted) {
      throw this.error({ status: 0, method, path, code: 'aborted', attempts, message: `cancelled by the caller (${describe(signal.reason)})` });
    }
  }

  private error(init: ConstructorParameters<typeof GitLabApiError>[0]): GitLabApiError {
    const secrets = [this.opts.token, ...this.bodySecrets];
    return new GitLabApiError({ ...init, message: redact(init.message, secrets), path: redact(init.path, secrets), hint: init.hint && redact(init.hint, secrets) });
  }
}

async function readBody(res: Response, asStream?: boolean): Promise<unknown> {
  if (asStream) return res.body;
  if (res.status === 204) return null;
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (type === 'application/json') {
    const text = await res.text();
    return text ? JSON.parse(text) : {};
  }
  if (type.startsWith('text/')) return res.text();
  return res.blob();
}

/** GitLab's error bodies: `{message: "404 Not found"}`, `{message: {field: [..]}}`, `{error, error_description}`, or plain text. */
function errorMessage(text: string): string {
  if (!text) return '';
  try {
    const j = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    if (typeof j.message === 'string') return j.message;
    if (j.message !== undefined) return JSON.stringify(j.message);
    if (j.error !== undefined) return [j.error, j.error_description].filter(Boolean).join(': ');
  } catch {
    /* not JSON */
  }
  return text.trim().slice(0, 300);
}

function networkCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.cause?.code ?? e?.code ?? 'network_error';
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return e?.cause?.message ?? e?.message ?? String(err);
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'GITLAB_TOKEN was rejected (expired, revoked or mistyped); create a token with the api scope';
  if (status === 403) return 'the token lacks a scope or role for this call (group hooks need Owner and the api scope)';
  return undefined;
}
