// The one place that talks HTTP to Port: auth header, retries, rate limits, schema checks and
// error shaping. The typed methods in client.ts are thin wrappers over `request`.
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { checkRequestBody, type OperationName } from '../../port/api-schemas.ts';
import type { Clock } from '../shared/clock.ts';
import type { RetryEvent } from '../shared/retry-event.ts';
import { fullJitterDelay, type RetryPolicy } from '../shared/backoff.ts';
import { parseIntHeader, parseRateLimitReset, parseRetryAfter } from '../shared/rate-limit-headers.ts';
import { RateLimitGate } from '../shared/rate-limit-gate.ts';
import { redact, redactDeep } from '../shared/redact.ts';
import { PortApiError, PortRequestSchemaError } from './errors.ts';
import { PortTokenManager } from './token-manager.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | string[] | undefined;

export interface PortRequest {
  method: HttpMethod;
  /** Path under the base URL, starting with `/v1/`, identifiers already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Port operation whose published request schema the body must match. */
  operation?: OperationName;
  /** Send the bearer token (default true; false only for the token request itself). */
  auth?: boolean;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "does it exist?"). */
  accept?: number[];
  /** Overrides the transport's User-Agent for this request (Port records it as `$datasource`). */
  userAgent?: string;
}

export interface PortResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

export type { RetryEvent } from '../shared/retry-event.ts';

export interface PortHttpOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  userAgent: string;
  retry: RetryPolicy;
  timeoutMs: number;
  tokenMarginMs: number;
  validateRequests: boolean;
  clock: Clock;
  random: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/** Statuses worth another try: rate limited, request timeout, and gateway/server trouble. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Transient socket failures. ECONNREFUSED/ENOTFOUND are left out: they mean a wrong URL, and fail fast. */
const RETRY_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET']);

export class PortHttp {
  readonly tokens: PortTokenManager;
  private readonly axios: AxiosInstance;
  private readonly gate: RateLimitGate;
  /** Secrets this client has sent in request bodies (webhook secrets), redacted from its errors. */
  private readonly bodySecrets = new Set<string>();

  constructor(private readonly opts: PortHttpOptions) {
    this.axios = axios.create({
      baseURL: opts.baseUrl,
      timeout: opts.timeoutMs,
      // Every status comes back as a response; the retry loop decides what is an error.
      validateStatus: () => true,
      paramsSerializer: { indexes: null },
      // Redirects would re-send the Authorization header to wherever they point.
      maxRedirects: 0,
      headers: { 'User-Agent': opts.userAgent, Accept: 'application/json' },
    });
    this.gate = new RateLimitGate(opts.clock);
    this.tokens = new PortTokenManager(() => this.issueToken(), opts.clock, opts.tokenMarginMs);
  }

  async request<T = unknown>(req: PortRequest): Promise<PortResponse<T>> {
    const { method, path } = req;
    // A webhook body carries its secret: an error that echoes the body must not carry it on.
    const webhookSecret = (req.body as { security?: { secret?: unknown } } | undefined)?.security?.secret;
    if (typeof webhookSecret === 'string') this.bodySecrets.add(webhookSecret);
    if (this.opts.validateRequests && req.operation && req.body !== undefined) {
      const check = checkRequestBody(req.operation, req.body);
      if (!check.ok) {
        throw new PortRequestSchemaError(req.operation, method, path, check.errors.map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`));
      }
    }
    const { retry } = this.opts;
    let refreshedAfter401 = false;
    let attempt = 0;
    // Bounded: each pass either returns, throws, or consumes one of maxAttempts (the single
    // 401 refresh adds one pass).
    for (let pass = 0; pass < retry.maxAttempts + 1; pass++) {
      attempt++;
      await this.gate.wait(retry.maxWaitMs);
      const token = req.auth === false ? undefined : await this.tokens.get();
      let res: AxiosResponse;
      try {
        res = await this.axios.request({
          method,
          url: path,
          params: req.query,
          data: req.body,
          headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(req.userAgent ? { 'User-Agent': req.userAgent } : {}) },
        });
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const text = (err as Error).message ?? String(err);
        const transient = RETRY_CODES.has(code) || /socket hang up|timeout/i.test(text);
        const reason = `${code || 'network error'}: ${text}`;
        if (!transient || attempt >= retry.maxAttempts) {
          throw this.error({ status: 0, code: code ? code.toLowerCase() : 'network_error', message: reason, method, path, attempts: attempt, hint: transient ? 'Port did not answer; retry later or check connectivity to ' + this.opts.baseUrl : `check PORT_API_URL (${this.opts.baseUrl})` });
        }
        await this.backoff({ method, path, attempt, status: 0, reason, waitMs: fullJitterDelay(attempt - 1, retry, this.opts.random) });
        continue;
      }

      const headers = flatHeaders(res.headers);
      const now = this.opts.clock.now();
      this.gate.observe(parseIntHeader(headers['x-ratelimit-remaining']), parseRateLimitReset(headers['x-ratelimit-reset'], now));

      if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) {
        return { status: res.status, data: res.data as T, headers };
      }
      if (res.status === 401 && token && !refreshedAfter401) {
        // Expired or revoked token: fetch a fresh one once and repeat the request.
        refreshedAfter401 = true;
        this.tokens.invalidate(token);
        attempt--;
        continue;
      }
      if (RETRY_STATUSES.has(res.status) && attempt < retry.maxAttempts) {
        const serverWait =
          parseRetryAfter(headers['retry-after'], now) ?? (res.status === 429 ? parseRateLimitReset(headers['x-ratelimit-reset'], now) : undefined);
        if (serverWait !== undefined && serverWait > retry.maxWaitMs) {
          throw this.fromResponse(res, method, path, attempt, `Port asked to wait ${Math.ceil(serverWait / 1000)} s, more than the ${Math.ceil(retry.maxWaitMs / 1000)} s allowed (maxWaitMs); retry later`);
        }
        const waitMs = serverWait ?? fullJitterDelay(attempt - 1, retry, this.opts.random);
        await this.backoff({ method, path, attempt, status: res.status, reason: `HTTP ${res.status}`, waitMs });
        continue;
      }
      throw this.fromResponse(res, method, path, attempt, hintFor(res.status, path));
    }
    /* c8 ignore next */
    throw this.error({ status: 0, code: 'retry_exhausted', message: 'no attempt left', method, path, attempts: attempt });
  }

  private async backoff(event: RetryEvent): Promise<void> {
    this.opts.onRetry?.(event);
    await this.opts.clock.sleep(event.waitMs);
  }

  private async issueToken(): Promise<{ accessToken: string; expiresIn: number }> {
    const res = await this.request<{ accessToken?: string; expiresIn?: number }>({
      method: 'POST',
      path: '/v1/auth/access_token',
      body: { clientId: this.opts.clientId, clientSecret: this.opts.clientSecret },
      operation: 'create-an-access-token',
      auth: false,
    });
    const { accessToken, expiresIn } = res.data ?? {};
    if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number') {
      throw this.error({ status: res.status, code: 'invalid_token_response', message: 'the access-token response has no accessToken/expiresIn', method: 'POST', path: '/v1/auth/access_token', attempts: 1 });
    }
    return { accessToken, expiresIn };
  }

  private secrets(): string[] {
    return [this.opts.clientSecret, ...this.tokens.seen, ...this.bodySecrets];
  }

  private error(init: ConstructorParameters<typeof PortApiError>[0]): PortApiError {
    const s = this.secrets();
    return new PortApiError({
      ...init,
      message: redact(init.message, s),
      path: redact(init.path, s),
      hint: init.hint && redact(init.hint, s),
      details: init.details === undefined ? undefined : redactDeep(init.details, s),
    });
  }

  private fromResponse(res: AxiosResponse, method: string, path: string, attempts: number, hint?: string): PortApiError {
    const body = res.data as { error?: unknown; message?: unknown; details?: unknown } | string | undefined;
    let code = `http_${res.status}`;
    let message = res.statusText || 'request failed';
    let details: unknown;
    if (body && typeof body === 'object') {
      if (typeof body.error === 'string') code = body.error;
      if (typeof body.message === 'string') message = body.message;
      else if (body.message !== undefined) message = JSON.stringify(body.message);
      details = body.details;
    } else if (typeof body === 'string' && body.trim()) {
      message = body.trim().slice(0, 300);
    }
    return this.error({ status: res.status, code, message, details, method, path, attempts, hint });
  }
}

function flatHeaders(h: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function hintFor(status: number, path: string): string | undefined {
  if (path === '/v1/auth/access_token' && (status === 401 || status === 403 || status === 422)) {
    return 'Port rejected the client credentials: set PORT_CLIENT_ID and PORT_CLIENT_SECRET to an organization credential pair (Port → … → Credentials), and PORT_API_URL to your region';
  }
  if (status === 401) return 'the access token was rejected twice; check the credentials and PORT_API_URL region';
  if (status === 403) return 'the credentials lack the permission for this call (webhooks need a moderator or admin)';
  if (status === 413) return 'the body is over Port\'s 1 MiB limit; send fewer entities per request';
  return undefined;
}
