// The webhook ingest route (reference/port.md §1.7, §2.4): security check, then 202 at once; the
// mapping result is applied asynchronously, one event at a time, with request-identifier dedupe,
// merge-upserts that create missing related entities, deletes honouring deleteDependents, and an
// audit-log entry per outcome.
import { createHmac, randomUUID } from 'node:crypto';
import type { MappingResult, Problem, WebhookRequest } from '../../mapping/types.ts';
import type { StoredWebhook } from '../../port/types.ts';
import { sameSecret } from './auth.ts';
import { recordAudit, type PortContext, type Writer } from './context.ts';
import type { Evaluate, EvaluateExpression } from './default-evaluator.ts';
import { deleteEntity, writeEntity } from './entities.ts';
import { PortApiError } from './errors.ts';
import { MAX_SEEN_REQUESTS, type StoredWebhookRecord } from './store.ts';

export interface IngestEvent {
  webhookEventId: string;
  webhook: string;
  receivedAt: string;
  status: 'queued' | 'processed' | 'deduplicated' | 'failed';
  requestIdentifier?: string | null;
  actions: number;
  failures: number;
  problems: Problem[];
}

export interface IngestStats {
  received: number;
  rejected: number;
  dropped: number;
  deduplicated: number;
  processed: number;
}

/** Port's webhook `security`: `plain` compares the header to the secret; sha1/sha256 are HMACs of the raw body. */
export function verifySignature(webhook: StoredWebhookRecord, headers: Record<string, string>, rawBody: Buffer): string | undefined {
  const sec = webhook.security ?? {};
  if (!sec.secret || !sec.signatureAlgorithm || !sec.signatureHeaderName) return undefined;
  const given = headers[sec.signatureHeaderName.toLowerCase()];
  if (given === undefined) return `the ${sec.signatureHeaderName.toLowerCase()} header is missing`;
  const prefix = sec.signaturePrefix ?? '';
  const value = prefix && given.startsWith(prefix) ? given.slice(prefix.length) : given;
  const expected = sec.signatureAlgorithm === 'plain' ? sec.secret : createHmac(sec.signatureAlgorithm, sec.secret).update(rawBody).digest('hex');
  return sameSecret(value, expected) ? undefined : `the ${sec.signatureHeaderName.toLowerCase()} header does not match the webhook's secret`;
}

export class IngestQueue {
  readonly stats: IngestStats = { received: 0, rejected: 0, dropped: 0, deduplicated: 0, processed: 0 };
  readonly events: IngestEvent[] = [];
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly ctx: PortContext,
    private readonly view: (w: StoredWebhookRecord) => StoredWebhook,
    private readonly evaluate: Evaluate,
    private readonly evaluateExpression: EvaluateExpression,
    private readonly maxEvents = 1000,
  ) {}

  /** Queues one accepted request; returns its event id. */
  enqueue(webhook: StoredWebhookRecord, request: WebhookRequest): string {
    const event: IngestEvent = { webhookEventId: randomUUID(), webhook: webhook.identifier, receivedAt: new Date(this.ctx.now()).toISOString(), status: 'queued', actions: 0, failures: 0, problems: [] };
    this.events.push(event);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
    this.pending++;
    this.tail = this.tail
      .then(() => this.process(webhook.identifier, request, event))
      .catch((err) => {
        event.status = 'failed';
        event.problems.push({ message: `ingest failed: ${(err as Error).message}` });
      })
      .finally(() => {
        this.pending--;
        if (this.pending === 0) for (const w of this.waiters.splice(0)) w();
      });
    return event.webhookEventId;
  }

  /** Resolves once every queued event has been applied. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  private async process(webhookId: string, request: WebhookRequest, event: IngestEvent): Promise<void> {
    // The webhook may have changed or gone since the request was accepted: use its current form.
    const webhook = this.ctx.state.webhooks[webhookId];
    if (!webhook) {
      event.status = 'failed';
      event.problems.push({ message: `webhook "${webhookId}" was deleted before the event was processed` });
      return;
    }
    const path = webhook.security?.requestIdentifierPath;
    if (path) {
      const value = await this.evaluateExpression(path, request);
      const key = value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
      event.requestIdentifier = key;
      if (key !== null) {
        const seen = (this.ctx.state.seenRequests[webhookId] ??= []);
        if (seen.includes(key)) {
          event.status = 'deduplicated';
          this.stats.deduplicated++;
          return;
        }
        seen.push(key);
        if (seen.length > MAX_SEEN_REQUESTS) seen.splice(0, seen.length - MAX_SEEN_REQUESTS);
        this.ctx.changed();
      }
    }
    const result: MappingResult = await this.evaluate(this.view(webhook), request);
    event.problems.push(...result.problems);
    const writer: Writer = { origin: 'WEBHOOK', userAgent: `port-webhook/${webhookId}`, by: webhookId, webhook: webhookId, webhookEvent: event.webhookEventId };
    for (const action of result.actions) {
      event.actions++;
      try {
        if (action.action === 'delete') {
          deleteEntity(this.ctx, action.blueprint, action.entity.identifier, action.deleteDependents ?? false, writer);
        } else {
          // Webhook upserts update only the mapped fields and create missing related entities.
          writeEntity(this.ctx, action.blueprint, action.entity as unknown as Record<string, unknown>, { upsert: true, merge: true, createMissingRelatedEntities: true }, writer);
        }
      } catch (err) {
        if (!(err instanceof PortApiError)) throw err;
        event.failures++;
        recordAudit(this.ctx, writer, {
          action: action.action === 'delete' ? 'DELETE' : 'UPDATE',
          resourceType: 'entity',
          status: 'FAILURE',
          message: `${err.error}: ${err.message}`,
          context: { blueprint: action.blueprint, entity: action.entity.identifier },
          additionalData: { mapping: action.mapping, statusCode: err.status },
        });
      }
    }
    event.status = 'processed';
    this.stats.processed++;
  }
}
