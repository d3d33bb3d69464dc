/**
 * Sends one webhook request the way GitLab does (`WebHookService#build_headers`): POST JSON with
 * X-Gitlab-Event, X-Gitlab-Token (only when the hook has a secret), X-Gitlab-Instance,
 * User-Agent GitLab/<version>, custom headers, and three ids that differ in scope:
 * - Idempotency-Key: one per hook and event, the same on a resend of that delivery (GitLab keeps
 *   it in the hook log and passes it again) — the documented key for "consistent across retries";
 * - X-Gitlab-Event-UUID: drawn per hook (`RecursionDetection::UUID#uuid_for_hook`, keyed by hook id)
 *   in the delivery job, so two hooks receiving one event get different values, and a resend a new
 *   one; only "recursive" deliveries (caused by an API call a webhook made) share it (not modelled);
 * - X-Gitlab-Webhook-UUID: `SecureRandom.uuid` per request (documented as "unique ID for each webhook").
 * 2xx counts as success, anything else (status, network error, timeout) as a failure for auto-disabling.
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { HookRec } from './hooks.ts';

export type DeliveryResult = {
  hookId: number;
  hookKind: 'group' | 'project';
  url: string;
  event: string;
  eventUuid: string;
  idempotencyKey: string;
  /** 'delivered' = 2xx, 'failed' = non-2xx/network/timeout, 'skipped' = hook disabled, not called. */
  outcome: 'delivered' | 'failed' | 'skipped';
  status?: number;
  error?: string;
};

export type DeliveryContext = { instanceUrl: string; version: string; timeoutMs: number };

export function deliveryHeaders(hook: HookRec, event: string, eventUuid: string, idempotencyKey: string, ctx: DeliveryContext, bodyLength: number): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': `GitLab/${ctx.version}`,
    'X-Gitlab-Event': event,
    'X-Gitlab-Webhook-UUID': randomUUID(),
    'X-Gitlab-Instance': ctx.instanceUrl,
    'X-Gitlab-Event-UUID': eventUuid,
    'Idempotency-Key': idempotencyKey,
    'Content-Length': String(bodyLength),
  };
  if (hook.token) headers['X-Gitlab-Token'] = hook.token;
  for (const c of hook.customHeaders) headers[c.key] = c.value;
  return headers;
}

/** `idempotencyKey` is given on a resend (the logged delivery's); a first delivery draws a new one. */
export function postHook(hook: HookRec, event: string, payload: unknown, eventUuid: string, ctx: DeliveryContext, idempotencyKey: string = randomUUID()): Promise<DeliveryResult> {
  const body = Buffer.from(JSON.stringify(payload));
  const base: DeliveryResult = { hookId: hook.id, hookKind: hook.kind, url: hook.url, event, eventUuid, idempotencyKey, outcome: 'failed' };
  const headers = deliveryHeaders(hook, event, eventUuid, idempotencyKey, ctx, body.length);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Partial<DeliveryResult>) => { if (!settled) { settled = true; resolve({ ...base, ...r }); } };
    const url = new URL(hook.url);
    const send = url.protocol === 'https:' ? httpsRequest : request;
    const req = send(url, { method: 'POST', headers, timeout: ctx.timeoutMs, rejectUnauthorized: hook.enableSslVerification }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        done({ status, outcome: status >= 200 && status < 300 ? 'delivered' : 'failed' });
      });
      res.on('error', (err) => done({ status: res.statusCode, error: err.message }));
    });
    req.on('timeout', () => { req.destroy(new Error(`no response within ${ctx.timeoutMs} ms`)); });
    req.on('error', (err) => done({ error: err.message }));
    req.end(body);
  });
}
