/**
 * Event dispatch: given an event raised in a project or group, finds every hook GitLab would
 * call — group hooks of the group and all its ancestors with the event's flag on (Premium only),
 * and for project-level events the project's own hooks — and delivers to them concurrently.
 * Temporarily/permanently disabled hooks are skipped, as GitLab does; results update the hooks'
 * auto-disable state. Each hook's delivery gets its own X-Gitlab-Event-UUID and Idempotency-Key
 * (delivery.ts); a logged delivery can be resent with its Idempotency-Key, as GitLab's resend does.
 */
import { randomUUID } from 'node:crypto';
import type { HookFlag, HookRec, HookStore } from './hooks.ts';
import { postHook, type DeliveryContext, type DeliveryResult } from './delivery.ts';
import type { GitLabState } from './state.ts';

export type EventSpec = {
  /** X-Gitlab-Event header value, e.g. "Merge Request Hook". */
  header: string;
  /** Hook flag that selects receivers, e.g. merge_requests_events. */
  flag: HookFlag;
  payload: unknown;
  /** Group whose hooks (and ancestors' hooks) receive the event. */
  groupId: number | null;
  /** Project whose project hooks receive the event (project-level events only). */
  projectId: number | null;
};

export type EventReport = { event: string; deliveries: DeliveryResult[] };

/** What a resend needs of a delivery; GitLab keeps it in the hook's event log. */
type Sent = { hookId: number; header: string; payload: unknown };
const SENT_KEPT = 1000;

export class EventDispatcher {
  constructor(
    private readonly state: GitLabState,
    private readonly hooks: HookStore,
    private readonly groupHooksEnabled: boolean,
    private readonly ctx: () => DeliveryContext,
    /** Told each event's deliveries, in receiver order (the instance keeps a delivery log). */
    private readonly onDeliveries: (results: DeliveryResult[]) => void = () => {},
  ) {}

  /** Recent deliveries by Idempotency-Key (insertion order, bounded), for resends. */
  private readonly sent = new Map<string, Sent>();

  receivers(ev: Pick<EventSpec, 'flag' | 'groupId' | 'projectId'>): HookRec[] {
    const out: HookRec[] = [];
    if (ev.projectId !== null) out.push(...this.hooks.list('project', ev.projectId).filter((h) => h.flags[ev.flag]));
    if (this.groupHooksEnabled && ev.groupId !== null) {
      for (const g of this.state.ancestry(ev.groupId)) out.push(...this.hooks.list('group', g.id).filter((h) => h.flags[ev.flag]));
    }
    return out;
  }

  /** >0 while `withoutDeliveries` runs: GitLab changes state but no hook hears of it. */
  private muted = 0;

  /**
   * Runs `change` with every delivery suppressed: what a receiver sees when the hook is disabled,
   * Port is unreachable, or GitLab sends no event for the change at all.
   */
  async withoutDeliveries<T>(change: () => Promise<T>): Promise<T> {
    this.muted++;
    try {
      return await change();
    } finally {
      this.muted--;
    }
  }

  async dispatch(ev: EventSpec): Promise<EventReport> {
    if (this.muted > 0) return { event: ev.header, deliveries: [] };
    const now = this.state.now();
    // GitLab draws the Event-UUID per hook (keyed by hook id), not once per event.
    const results = await Promise.all(this.receivers(ev).map((h) => this.send(h, ev.header, ev.payload, randomUUID(), now)));
    this.onDeliveries(results);
    return { event: ev.header, deliveries: results };
  }

  /** One delivery with auto-disable bookkeeping; `force` is the "test" endpoint (ignores disabled state). */
  async send(h: HookRec, header: string, payload: unknown, eventUuid: string, now: number, force = false, idempotencyKey?: string): Promise<DeliveryResult> {
    if (!force && !this.hooks.executable(h, now)) {
      return { hookId: h.id, hookKind: h.kind, url: h.url, event: header, eventUuid, idempotencyKey: '', outcome: 'skipped' };
    }
    const r = await postHook(h, header, payload, eventUuid, this.ctx(), idempotencyKey);
    this.sent.delete(r.idempotencyKey);
    this.sent.set(r.idempotencyKey, { hookId: h.id, header, payload });
    if (this.sent.size > SENT_KEPT) this.sent.delete(this.sent.keys().next().value!);
    if (r.outcome === 'delivered') this.hooks.recordSuccess(h); else this.hooks.recordFailure(h, this.state.now());
    return r;
  }

  /**
   * Resends a logged delivery to its hook as GitLab's "Resend request" does: the same payload and
   * Idempotency-Key, a new Event-UUID; a disabled hook is not called. Null when the delivery is not
   * in the log (or its hook was deleted).
   */
  async resend(idempotencyKey: string): Promise<DeliveryResult | null> {
    const s = this.sent.get(idempotencyKey);
    const h = s && this.hooks.all().find((x) => x.id === s.hookId);
    if (!s || !h) return null;
    const r = await this.send(h, s.header, s.payload, randomUUID(), this.state.now(), false, idempotencyKey);
    this.onDeliveries([r]);
    return r;
  }
}
