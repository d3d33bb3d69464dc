// Streams mapped entities into Port. Entities are buffered per blueprint; every `compareBatch`
// of them costs one search (what Port already holds) and as few bulk upserts as the changed ones
// need (≤ 20 entities and ≤ 1 MiB each, `upsert=true&merge=true`). Results are handled per index
// (207); a 413 or a whole-request 422 splits the batch until the bad entity is alone. The number
// of entities buffered or in flight is bounded: `add` waits when Port is the bottleneck.
import { PORT_BULK_UPSERT_MAX, PortApiError, type PortClient } from '../clients/port/index.ts';
import type { EntitiesQuery, Entity } from '../port/types.ts';
import { INSTALL_ID_PREFIX, USER_AGENT_PRODUCT } from '../clients/shared/user-agent.ts';
import type { MappedEntity } from '../mapping/types.ts';
import type { Limiter } from './limiter.ts';
import { CircuitOpenError, type PortCircuitBreaker } from './circuit-breaker.ts';
import type { KindStats } from './stats.ts';
import { sameAsPort, type PortEntityView } from './unchanged.ts';

/** Port's API body limit is 1 MiB; keep room for the envelope. */
export const MAX_BULK_BYTES = 1024 * 1024 - 4096;

export interface WriterOptions {
  port: PortClient;
  limiter: Limiter;
  /** Port's `validation_only`: check each write, store nothing. */
  dryRun: boolean;
  compareBatch: number;
  maxPending: number;
  signal?: AbortSignal;
  /** Sees every Port request; once it trips, queued requests are not sent. */
  breaker?: PortCircuitBreaker;
}

interface Item {
  stats: KindStats;
  entity: MappedEntity;
  body: Entity;
  bytes: number;
}

export class EntityWriter {
  private readonly buffers = new Map<string, Item[]>();
  private readonly inflight = new Set<Promise<void>>();
  private pending = 0;
  private waiters: Array<() => void> = [];
  /** Per blueprint: Port had no entity of it when this run first wrote to it (so nothing to compare with). */
  private readonly emptyAtStart = new Map<string, Promise<boolean>>();

  /**
   * With an install id: entities this package wrote before install ids existed
   * (`port-gitlab-template/<version>`, no install id) are left out of the comparison, so they are
   * written again and carry the id from then on — reconcile and uninstall can then tell whose they are.
   */
  private readonly attributable: EntitiesQuery[];

  constructor(private readonly o: WriterOptions) {
    this.attributable = o.port.installId
      ? [{ combinator: 'or', rules: [
        { property: '$datasource', operator: 'doesNotContains', value: `${USER_AGENT_PRODUCT}/` },
        { property: '$datasource', operator: 'contains', value: `/${INSTALL_ID_PREFIX}` },
      ] } as EntitiesQuery]
      : [];
    if (o.compareBatch < 1 || o.compareBatch > 1000) throw new RangeError(`compareBatch must be 1–1000 (Port's search limit), got ${o.compareBatch}`);
  }

  /** Queues entities of one blueprint; resolves when the writer has room for more. */
  async add(blueprint: string, stats: KindStats, entities: MappedEntity[]): Promise<void> {
    if (this.o.signal?.aborted || entities.length === 0) return;
    let buffer = this.buffers.get(blueprint);
    if (!buffer) this.buffers.set(blueprint, (buffer = []));
    for (const entity of entities) {
      const body = toBody(entity);
      const bytes = Buffer.byteLength(JSON.stringify(body));
      if (bytes > MAX_BULK_BYTES) {
        stats.fail(`the entity is ${bytes} bytes, over Port's 1 MiB request limit`, entity.identifier);
        continue;
      }
      buffer.push({ stats, entity, body, bytes });
      this.pending++;
    }
    while (buffer.length >= this.o.compareBatch) this.dispatch(blueprint, buffer.splice(0, this.o.compareBatch));
    // Bounded loop: each wake-up follows a batch completing.
    while (this.pending > this.o.maxPending && this.inflight.size > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** One Port request: in the Port limiter, through the circuit breaker when there is one. */
  private portCall<T>(request: () => Promise<T>): Promise<T> {
    const breaker = this.o.breaker;
    return this.o.limiter.run(breaker ? () => breaker.call(request) : request);
  }

  /** Sends everything buffered and waits until Port has answered for all of it. */
  async flush(): Promise<void> {
    if (!this.o.signal?.aborted) {
      for (const [blueprint, buffer] of this.buffers) if (buffer.length) this.dispatch(blueprint, buffer.splice(0));
    } else {
      // Interrupted: what is not sent yet is dropped; the next run writes it.
      for (const buffer of this.buffers.values()) { this.pending -= buffer.length; buffer.length = 0; }
    }
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  private dispatch(blueprint: string, items: Item[]): void {
    const p: Promise<void> = this.process(blueprint, items)
      .catch((err: unknown) => { if (!(err instanceof CircuitOpenError)) for (const i of items) i.stats.fail(`not written: ${describe(err)}`, i.entity.identifier); })
      .finally(() => {
        this.inflight.delete(p);
        this.pending -= items.length;
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
      });
    this.inflight.add(p);
  }

  private async process(blueprint: string, items: Item[]): Promise<void> {
    // A first run into an empty blueprint needs no comparison: every entity is new. (What this run
    // writes itself cannot collide: each identifier is listed once.)
    const empty = await this.emptyAtStartOf(blueprint);
    const stored = empty ? new Map<string, PortEntityView>() : await this.stored(blueprint, items);
    const changed: Item[] = [];
    for (const item of items) {
      if (stored && sameAsPort(item.entity, stored.get(item.entity.identifier))) item.stats.unchanged++;
      else changed.push(item);
    }
    const chunks: Item[][] = [];
    let chunk: Item[] = [];
    let bytes = 0;
    for (const item of changed) {
      if (chunk.length === PORT_BULK_UPSERT_MAX || (chunk.length && bytes + item.bytes > MAX_BULK_BYTES)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(item);
      bytes += item.bytes + 1;
    }
    if (chunk.length) chunks.push(chunk);
    await Promise.all(chunks.map((c) => this.upsert(blueprint, c)));
  }

  /**
   * True when Port held no entity of the blueprint when this run first wrote to it (false when
   * it never wrote to it, or the count failed): then nothing in it can be stale.
   */
  wasEmptyBeforeWriting(blueprint: string): Promise<boolean> {
    return this.emptyAtStart.get(blueprint) ?? Promise.resolve(false);
  }

  private emptyAtStartOf(blueprint: string): Promise<boolean> {
    let p = this.emptyAtStart.get(blueprint);
    if (!p) {
      p = this.portCall(() => this.o.port.countEntities(blueprint)).then((n) => n === 0, () => false);
      this.emptyAtStart.set(blueprint, p);
    }
    return p;
  }

  /** What Port holds for these identifiers; undefined when the search failed (then everything is written). */
  private async stored(blueprint: string, items: Item[]): Promise<Map<string, PortEntityView> | undefined> {
    const ids = [...new Set(items.map((i) => i.entity.identifier))];
    try {
      return await this.portCall(async () => {
        const out = new Map<string, PortEntityView>();
        // One page: the limit equals the number of identifiers asked for.
        for await (const page of this.o.port.searchEntityPages(blueprint, {
          query: { combinator: 'and', rules: [{ property: '$identifier', operator: 'in', value: ids }, ...this.attributable] } as EntitiesQuery,
          include: ['identifier', 'title', 'icon', 'team', 'properties', 'relations'],
          limit: ids.length,
          maxPages: 1,
        })) {
          for (const e of page) out.set(String(e.identifier), e as PortEntityView);
        }
        return out;
      });
    } catch {
      return undefined;
    }
  }

  private async upsert(blueprint: string, items: Item[]): Promise<void> {
    if (this.o.signal?.aborted) return;
    let result;
    try {
      result = await this.portCall(() =>
        this.o.port.upsertEntities(blueprint, items.map((i) => i.body), { upsert: true, merge: true, createMissingRelatedEntities: true, validationOnly: this.o.dryRun || undefined }),
      );
    } catch (err) {
      // Too large, or one entity makes Port refuse the whole request: halve until it is alone.
      const splittable = err instanceof PortApiError && (err.status === 413 || err.status === 422 || err.status === 400);
      if (splittable && items.length > 1) {
        const mid = Math.ceil(items.length / 2);
        await Promise.all([this.upsert(blueprint, items.slice(0, mid)), this.upsert(blueprint, items.slice(mid))]);
        return;
      }
      // Cancelled by the circuit breaker: not sent, not failed; the next run writes them.
      if (err instanceof CircuitOpenError) return;
      for (const i of items) i.stats.fail(describe(err), i.entity.identifier);
      return;
    }
    result.results.forEach((r, index) => {
      const item = items[index]!;
      if (r.ok) item.stats.written++;
      else item.stats.fail(`Port refused it: ${r.statusCode} ${r.error}: ${r.message}`, item.entity.identifier);
    });
  }
}

/** The write body: nulls in title/icon/team are left out (a merge then keeps what Port has). */
function toBody(e: MappedEntity): Entity {
  const body: Record<string, unknown> = { identifier: e.identifier };
  if (e.title !== undefined && e.title !== null) body.title = e.title;
  if (e.icon !== undefined && e.icon !== null) body.icon = e.icon;
  if (e.team !== undefined && e.team !== null) body.team = e.team;
  if (e.properties) body.properties = e.properties;
  if (e.relations) body.relations = e.relations;
  return body as Entity;
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
