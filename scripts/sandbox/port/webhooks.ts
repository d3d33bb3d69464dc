// Webhook (custom integration) routes of the local Port: create, get, list, patch, put, delete.
// Answers carry `webhookKey` and `url`, the URL of this server's own ingest route (§1.7).
import { randomBytes } from 'node:crypto';
import type { StoredWebhook, Webhook } from '../../port/types.ts';
import { isoNow, recordAudit, type PortContext, type Writer } from './context.ts';
import { identifierTaken, invalid, notFound } from './errors.ts';
import type { StoredWebhookRecord } from './store.ts';

export function ingestUrl(baseUrl: string, webhookKey: string): string {
  return `${baseUrl}/ingest/${webhookKey}`;
}

export function toWebhookView(w: StoredWebhookRecord, baseUrl: string): StoredWebhook {
  return { ...structuredClone(w), url: ingestUrl(baseUrl, w.webhookKey) };
}

export function getWebhook(ctx: PortContext, identifier: string): StoredWebhookRecord {
  const w = ctx.state.webhooks[identifier];
  if (!w) throw notFound(`Webhook with identifier "${identifier}" was not found`);
  return w;
}

export function webhookByKey(ctx: PortContext, key: string): StoredWebhookRecord | undefined {
  return Object.values(ctx.state.webhooks).find((w) => w.webhookKey === key);
}

export function createWebhook(ctx: PortContext, body: Webhook, writer: Writer): StoredWebhookRecord {
  const identifier = body.identifier ?? `webhook_${randomBytes(6).toString('hex')}`;
  if (ctx.state.webhooks[identifier]) throw identifierTaken(`A webhook with identifier "${identifier}" already exists`);
  const at = isoNow(ctx);
  const record: StoredWebhookRecord = {
    mappings: [],
    security: {},
    integrationType: 'custom',
    ...structuredClone(body),
    identifier,
    webhookKey: randomBytes(16).toString('hex'),
    createdAt: at,
    updatedAt: at,
    createdBy: writer.by,
    updatedBy: writer.by,
  };
  ctx.state.webhooks[identifier] = record;
  recordAudit(ctx, writer, { action: 'CREATE', resourceType: 'webhook', status: 'SUCCESS', context: { webhook: identifier } });
  return record;
}

function update(ctx: PortContext, identifier: string, body: Partial<Webhook>, writer: Writer, replace: boolean): StoredWebhookRecord {
  const before = getWebhook(ctx, identifier);
  if (body.identifier !== undefined && body.identifier !== identifier) {
    throw invalid(`body/identifier "${body.identifier}" differs from the webhook in the path ("${identifier}")`);
  }
  const kept = { identifier, webhookKey: before.webhookKey, createdAt: before.createdAt, createdBy: before.createdBy };
  const base = replace ? { mappings: [], security: {}, integrationType: before.integrationType } : before;
  const next = { ...structuredClone(base), ...structuredClone(body), ...kept, updatedAt: isoNow(ctx), updatedBy: writer.by } as StoredWebhookRecord;
  ctx.state.webhooks[identifier] = next;
  recordAudit(ctx, writer, { action: 'UPDATE', resourceType: 'webhook', status: 'SUCCESS', context: { webhook: identifier } });
  return next;
}

/** PATCH: keys not given stay unchanged. */
export const patchWebhook = (ctx: PortContext, id: string, body: Partial<Webhook>, writer: Writer) => update(ctx, id, body, writer, false);
/** PUT: the body replaces the webhook (its key, and so its URL, stay). */
export const putWebhook = (ctx: PortContext, id: string, body: Webhook, writer: Writer) => update(ctx, id, body, writer, true);

export function deleteWebhook(ctx: PortContext, identifier: string, writer: Writer): void {
  getWebhook(ctx, identifier);
  delete ctx.state.webhooks[identifier];
  delete ctx.state.seenRequests[identifier];
  recordAudit(ctx, writer, { action: 'DELETE', resourceType: 'webhook', status: 'SUCCESS', context: { webhook: identifier } });
}
