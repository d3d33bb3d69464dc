/**
 * Sends one webhook request the way GitLab does: POST JSON with X-Gitlab-Event, X-Gitlab-Token
 * (only when the hook has a secret), X-Gitlab-Event-UUID (shared by every hook receiving the
 * same event), X-Gitlab-Webhook-UUID (stable per hook), X-Gitlab-Instance, Idempotency-Key
 * (unique per hook and event), User-Agent GitLab/<version>, custom headers; 2xx counts as
 * success, anything else (status, network error, timeout) as a failure for auto-disabling.
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
    'X-Gitlab-Webhook-UUID': hook.uuid,
    'X-Gitlab-Instance': ctx.instanceUrl,
    'X-Gitlab-Event-UUID': eventUuid,
    'Idempotency-Key': idempotencyKey,
    'Content-Length': String(bodyLength),
  };
  if (hook.token) headers['X-Gitlab-Token'] = hook.token;
  for (const c of hook.customHeaders) headers[c.key] = c.value;
  return headers;
}

export function postHook(hook: HookRec, event: string, payload: unknown, eventUuid: string, ctx: DeliveryContext): Promise<DeliveryResult> {
  const body = Buffer.from(JSON.stringify(payload));
  const idempotencyKey = randomUUID();
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
