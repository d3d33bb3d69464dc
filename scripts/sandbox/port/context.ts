// What the local Port's domain modules share: the state, the clock, persistence and the audit log.
import { randomUUID } from 'node:crypto';
import type { Calculate } from './computed/calculate.ts';
import { MAX_AUDIT_ENTRIES, type AuditEntry, type PortState } from './store.ts';

/** Who is writing: the API caller (User-Agent becomes `$datasource`) or a webhook's ingest. */
export interface Writer {
  origin: 'API' | 'WEBHOOK';
  /** The writer's User-Agent, or `port-webhook/<identifier>` for ingest. */
  userAgent: string | null;
  /** `createdBy`/`updatedBy`: the client id, or the webhook identifier. */
  by: string;
  webhook?: string;
  webhookEvent?: string;
}

export interface PortContext {
  state: PortState;
  now(): number;
  /** Marks the state changed (persists it when a state file is used). */
  changed(): void;
  /** Runs calculation properties' jq (set once the jq engine is loaded; see computed/). */
  calculate?: Calculate;
}

export function isoNow(ctx: PortContext): string {
  return new Date(ctx.now()).toISOString();
}

export function recordAudit(
  ctx: PortContext,
  writer: Writer,
  entry: Pick<AuditEntry, 'action' | 'resourceType' | 'status' | 'context'> & Partial<Pick<AuditEntry, 'message' | 'diff' | 'additionalData'>>,
): void {
  const audit = ctx.state.audit;
  audit.push({
    identifier: randomUUID(),
    trigger: { at: isoNow(ctx), origin: writer.origin, by: { orgId: ctx.state.orgId, userId: writer.by } },
    ...entry,
    context: { ...entry.context, ...(writer.webhook ? { webhook: writer.webhook } : {}), ...(writer.webhookEvent ? { webhookEvent: writer.webhookEvent } : {}) },
  });
  // Trimmed in chunks: dropping one entry per write shifts the whole array every time (it was a
  // fifth of the local Port's CPU in a 250k-entity backfill). The log keeps 20,000 to 22,000 entries.
  if (audit.length > MAX_AUDIT_ENTRIES * 1.1) audit.splice(0, audit.length - MAX_AUDIT_ENTRIES);
  ctx.changed();
}
