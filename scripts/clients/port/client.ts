// Typed Port API client: the calls the installer, backfill, reconciler and doctor make.
// Transport concerns (auth, retries, rate limits, schema checks, error shaping) live in http.ts.
import type { Blueprint, EntitiesQuery, Entity, StoredBlueprint, StoredWebhook, Webhook } from '../../port/types.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { RetryPolicy } from '../shared/backoff.ts';
import { userAgent } from '../shared/user-agent.ts';
import { PortHttp, type PortRequest, type PortResponse, type RetryEvent } from './http.ts';
import { resolvePortBaseUrl } from './region.ts';

export interface PortClientOptions {
  clientId: string;
  clientSecret: string;
  /** `eu`, `us` or a base URL (default https://api.port.io). */
  baseUrl?: string;
  /** Appended to the User-Agent (`port-gitlab-template/<version>/<installId>`), which Port records as `$datasource`. */
  installId?: string;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Refresh the token this long before it expires (default 5 min). */
  tokenMarginMs?: number;
  /**
   * Check each body against Port's published request schema before sending. Default: on under
   * vitest (so tests prove what we send is what Port accepts), off otherwise.
   */
  validateRequests?: boolean;
  clock?: Clock;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

export const DEFAULT_PORT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  // port-cli caps Retry-After at 120 s; we allow a little more before giving up.
  maxWaitMs: 180_000,
};

export interface WriteEntityOptions {
  /** Default true: create or update. false = create only (fails if it exists). */
  upsert?: boolean;
  /** Default true: change only the fields sent (with upsert). false = replace the whole entity. */
  merge?: boolean;
  /** Default false: fail on a missing related entity instead of creating a bare placeholder. */
  createMissingRelatedEntities?: boolean;
  validationOnly?: boolean;
  runId?: string;
}

/** One input of a bulk upsert, by its position in the request. */
export type BulkItemResult =
  | { index: number; ok: true; identifier: string; created: boolean; additionalData?: Record<string, unknown> }
  | { index: number; ok: false; identifier: string; statusCode: number; error: string; message: string };

export interface BulkUpsertResult {
  /** 200 (all written) or 207 (some failed). */
  status: number;
  /** Exactly one result per input entity, in input order. */
  results: BulkItemResult[];
  written: number;
  failed: number;
}

export interface SearchOptions {
  query?: EntitiesQuery;
  include?: string[];
  exclude?: string[];
  /** Page size, 1–1000 (default 1000: fewest requests). */
  limit?: number;
  /** Stop after this many pages (a bound for callers that only need a sample). */
  maxPages?: number;
}

export type AuditLogQuery = Partial<{
  identifier: string;
  entity: string;
  blueprint: string;
  run_id: string;
  webhookId: string;
  webhookEventId: string;
  origin: string[];
  InstallationId: string;
  resources: string[];
  includes: string[];
  from: string;
  to: string;
  action: string;
  status: 'SUCCESS' | 'FAILURE';
  limit: number;
}>;

export type AuditLogRecord = Record<string, unknown> & { identifier?: string; status?: string; message?: string };

/** Port's published maxima (create-multiple-entities / delete-multiple-entities). */
export const PORT_BULK_UPSERT_MAX = 20;
export const PORT_BULK_DELETE_MAX = 100;
export const PORT_SEARCH_MAX_LIMIT = 1000;

const enc = encodeURIComponent;

export class PortClient {
  readonly baseUrl: string;
  readonly userAgent: string;
  /** The install this client writes as (see forInstall), when one was given. */
  readonly installId: string | undefined;
  readonly http: PortHttp;

  /** `shared`: the transport of the client this one was derived from (forInstall). */
  constructor(private readonly options: PortClientOptions, shared?: PortHttp) {
    if (!options.clientId || !options.clientSecret) {
      throw new Error('Port credentials missing: set PORT_CLIENT_ID and PORT_CLIENT_SECRET (Port → Builder → … → Credentials; use an organization/machine credential pair).');
    }
    this.baseUrl = resolvePortBaseUrl(options.baseUrl);
    this.userAgent = userAgent(options.installId);
    this.installId = options.installId;
    this.http = shared ?? new PortHttp({
      baseUrl: this.baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      userAgent: this.userAgent,
      retry: { ...DEFAULT_PORT_RETRY, ...options.retry },
      timeoutMs: options.timeoutMs ?? 60_000,
      tokenMarginMs: options.tokenMarginMs ?? 5 * 60_000,
      validateRequests: options.validateRequests ?? Boolean(process.env.VITEST),
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
    });
  }

  /** Escape hatch for routes without a typed method. */
  request<T = unknown>(req: PortRequest): Promise<PortResponse<T>> {
    return this.http.request<T>({ userAgent: this.userAgent, ...req });
  }

  /**
   * The same client (one token, one rate-limit budget) writing as install `installId`: its
   * User-Agent, which Port records as `$datasource`, ends in `/<installId>`, so reconcile only
   * ever selects entities this install wrote.
   */
  forInstall(installId: string): PortClient {
    return new PortClient({ ...this.options, installId }, this.http);
  }

  /** Fetches (or reuses) the access token: a cheap credentials check. */
  async authenticate(): Promise<void> {
    await this.http.tokens.get();
  }

  // --- Blueprints --------------------------------------------------------------------------

  /** The blueprint, or null when Port answers 404. */
  async getBlueprint(identifier: string): Promise<StoredBlueprint | null> {
    const res = await this.request<{ blueprint: StoredBlueprint }>({ method: 'GET', path: `/v1/blueprints/${enc(identifier)}`, accept: [404] });
    return res.status === 404 ? null : res.data.blueprint;
  }

  async listBlueprints(): Promise<StoredBlueprint[]> {
    const res = await this.request<{ blueprints: StoredBlueprint[] }>({ method: 'GET', path: '/v1/blueprints' });
    return res.data.blueprints ?? [];
  }

  /** `createCatalogPage` is sent explicitly (Port's default creates a page per blueprint). */
  async createBlueprint(blueprint: Blueprint, options: { createCatalogPage?: boolean } = {}): Promise<StoredBlueprint> {
    const res = await this.request<{ blueprint: StoredBlueprint }>({
      method: 'POST',
      path: '/v1/blueprints',
      query: { create_catalog_page: options.createCatalogPage ?? false },
      body: blueprint,
      operation: 'create-a-blueprint',
    });
    return res.data.blueprint;
  }

  /** Partial update: keys not sent are left unchanged. */
  async patchBlueprint(identifier: string, patch: Partial<Blueprint>): Promise<StoredBlueprint> {
    const res = await this.request<{ blueprint: StoredBlueprint }>({ method: 'PATCH', path: `/v1/blueprints/${enc(identifier)}`, body: patch, operation: 'update-a-blueprint' });
    return res.data.blueprint;
  }

  /** Full replace. */
  async putBlueprint(identifier: string, blueprint: Blueprint): Promise<StoredBlueprint> {
    const res = await this.request<{ blueprint: StoredBlueprint }>({ method: 'PUT', path: `/v1/blueprints/${enc(identifier)}`, body: blueprint, operation: 'change-a-blueprint' });
    return res.data.blueprint;
  }

  /** true when deleted, false when it did not exist. */
  async deleteBlueprint(identifier: string, options: { deleteActions?: boolean } = {}): Promise<boolean> {
    const res = await this.request({
      method: 'DELETE',
      path: `/v1/blueprints/${enc(identifier)}`,
      query: { delete_actions: options.deleteActions },
      accept: [404],
    });
    return res.status !== 404;
  }

  // --- Entities ----------------------------------------------------------------------------

  async upsertEntity(blueprint: string, entity: Entity, options: WriteEntityOptions = {}): Promise<Entity> {
    const res = await this.request<{ entity: Entity }>({
      method: 'POST',
      path: `/v1/blueprints/${enc(blueprint)}/entities`,
      query: writeQuery(options),
      body: entity,
      operation: 'create-an-entity',
    });
    return res.data.entity;
  }

  /**
   * Bulk upsert of 1–20 entities. Port answers 200 (all written) or 207 (partial); both come
   * back as one result per input index. Other statuses (413, 422, …) throw PortApiError.
   */
  async upsertEntities(blueprint: string, entities: Entity[], options: WriteEntityOptions = {}): Promise<BulkUpsertResult> {
    if (entities.length < 1 || entities.length > PORT_BULK_UPSERT_MAX) {
      throw new RangeError(`upsertEntities(${blueprint}): got ${entities.length} entities; Port's bulk endpoint takes 1–${PORT_BULK_UPSERT_MAX} per request. Split the batch.`);
    }
    const res = await this.request<{ entities?: Array<{ created: boolean; identifier: string; index: number; additionalData?: Record<string, unknown> }>; errors?: Array<{ identifier: string; index: number; statusCode: number; error: string; message: string }> }>({
      method: 'POST',
      path: `/v1/blueprints/${enc(blueprint)}/entities/bulk`,
      query: writeQuery(options),
      body: { entities },
      operation: 'create-multiple-entities',
    });
    const slots: Array<BulkItemResult | undefined> = new Array(entities.length).fill(undefined);
    for (const e of res.data.entities ?? []) {
      if (e.index >= 0 && e.index < slots.length) slots[e.index] = { index: e.index, ok: true, identifier: e.identifier, created: e.created, additionalData: e.additionalData };
    }
    for (const e of res.data.errors ?? []) {
      if (e.index >= 0 && e.index < slots.length) slots[e.index] = { index: e.index, ok: false, identifier: e.identifier, statusCode: e.statusCode, error: e.error, message: e.message };
    }
    // An index Port did not report on is a failure we must surface, never a silent success.
    const results = slots.map<BulkItemResult>(
      (r, index) => r ?? { index, ok: false, identifier: typeof entities[index]?.identifier === 'string' ? (entities[index]!.identifier as string) : '', statusCode: res.status, error: 'missing_result', message: `Port's ${res.status} response has no result for index ${index}` },
    );
    const written = results.filter((r) => r.ok).length;
    return { status: res.status, results, written, failed: results.length - written };
  }

  /** The entity, or null when Port answers 404. */
  async getEntity(blueprint: string, identifier: string): Promise<Entity | null> {
    const res = await this.request<{ entity: Entity }>({ method: 'GET', path: `/v1/blueprints/${enc(blueprint)}/entities/${enc(identifier)}`, accept: [404] });
    return res.status === 404 ? null : res.data.entity;
  }

  /** true when deleted, false when it did not exist. */
  async deleteEntity(blueprint: string, identifier: string, options: { deleteDependents?: boolean; runId?: string } = {}): Promise<boolean> {
    const res = await this.request({
      method: 'DELETE',
      path: `/v1/blueprints/${enc(blueprint)}/entities/${enc(identifier)}`,
      query: { delete_dependents: options.deleteDependents ?? false, run_id: options.runId },
      accept: [404],
    });
    return res.status !== 404;
  }

  /**
   * Pages of a blueprint's entities matching `query` (all when omitted), following Port's
   * `next` cursor. Only one page is held at a time.
   */
  async *searchEntityPages(blueprint: string, options: SearchOptions = {}): AsyncGenerator<Entity[]> {
    const limit = options.limit ?? PORT_SEARCH_MAX_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > PORT_SEARCH_MAX_LIMIT) {
      throw new RangeError(`searchEntityPages(${blueprint}): limit ${limit} is outside Port's 1–${PORT_SEARCH_MAX_LIMIT}`);
    }
    const maxPages = options.maxPages ?? 1_000_000;
    let from: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < maxPages; page++) {
      const body: Record<string, unknown> = { limit };
      if (options.query) body.query = options.query;
      if (options.include) body.include = options.include;
      if (options.exclude) body.exclude = options.exclude;
      if (from) body.from = from;
      const res = await this.request<{ entities?: Entity[]; next?: string }>({
        method: 'POST',
        path: `/v1/blueprints/${enc(blueprint)}/entities/search`,
        body,
        operation: 'search-a-blueprints-entities',
      });
      yield res.data.entities ?? [];
      const next = res.data.next;
      if (!next) return;
      if (seen.has(next)) throw new Error(`Port returned the same search cursor twice for blueprint ${blueprint}; stopping instead of looping`);
      seen.add(next);
      from = next;
    }
  }

  /** Entities one by one (same paging as searchEntityPages). */
  async *searchEntities(blueprint: string, options: SearchOptions = {}): AsyncGenerator<Entity> {
    for await (const page of this.searchEntityPages(blueprint, options)) yield* page;
  }

  /** Deletes 1–100 entities in one call. Port fails the whole call if one has dependents (unless deleteDependents). */
  async deleteEntities(blueprint: string, identifiers: string[], options: { deleteDependents?: boolean; runId?: string } = {}): Promise<void> {
    if (identifiers.length < 1 || identifiers.length > PORT_BULK_DELETE_MAX) {
      throw new RangeError(`deleteEntities(${blueprint}): got ${identifiers.length} identifiers; Port's bulk delete takes 1–${PORT_BULK_DELETE_MAX}. Split the batch.`);
    }
    await this.request({
      method: 'POST',
      path: `/v1/blueprints/${enc(blueprint)}/bulk/entities/delete`,
      query: { delete_dependents: options.deleteDependents, run_id: options.runId },
      body: { entities: identifiers },
      operation: 'delete-multiple-entities',
    });
  }

  /** Deletes every entity of the blueprint (and the blueprint with `deleteBlueprint`). */
  async deleteAllEntities(blueprint: string, options: { deleteBlueprint?: boolean } = {}): Promise<void> {
    await this.request({ method: 'DELETE', path: `/v1/blueprints/${enc(blueprint)}/all-entities`, query: { delete_blueprint: options.deleteBlueprint } });
  }

  async countEntities(blueprint: string): Promise<number> {
    const res = await this.request<{ count?: number }>({ method: 'GET', path: `/v1/blueprints/${enc(blueprint)}/entities-count` });
    return res.data.count ?? 0;
  }

  // --- Webhooks (envelope key `integration`, port.md §1.3) -----------------------------------

  /** The webhook, or null when Port answers 404. */
  async getWebhook(identifier: string): Promise<StoredWebhook | null> {
    const res = await this.request<{ integration: StoredWebhook }>({ method: 'GET', path: `/v1/webhooks/${enc(identifier)}`, accept: [404] });
    return res.status === 404 ? null : res.data.integration;
  }

  async listWebhooks(): Promise<StoredWebhook[]> {
    const res = await this.request<{ integrations?: StoredWebhook[]; webhooks?: StoredWebhook[] }>({ method: 'GET', path: '/v1/webhooks' });
    return res.data.integrations ?? res.data.webhooks ?? [];
  }

  async createWebhook(webhook: Webhook): Promise<StoredWebhook> {
    const res = await this.request<{ integration: StoredWebhook }>({ method: 'POST', path: '/v1/webhooks', body: webhook, operation: 'create-a-webhook' });
    return res.data.integration;
  }

  async patchWebhook(identifier: string, patch: Partial<Webhook>): Promise<StoredWebhook> {
    const res = await this.request<{ integration: StoredWebhook }>({ method: 'PATCH', path: `/v1/webhooks/${enc(identifier)}`, body: patch, operation: 'update-a-webhook' });
    return res.data.integration;
  }

  async putWebhook(identifier: string, webhook: Webhook): Promise<StoredWebhook> {
    const res = await this.request<{ integration: StoredWebhook }>({ method: 'PUT', path: `/v1/webhooks/${enc(identifier)}`, body: webhook, operation: 'change-a-webhook' });
    return res.data.integration;
  }

  /** true when deleted, false when it did not exist. */
  async deleteWebhook(identifier: string): Promise<boolean> {
    const res = await this.request({ method: 'DELETE', path: `/v1/webhooks/${enc(identifier)}`, accept: [404] });
    return res.status !== 404;
  }

  // --- Audit log ---------------------------------------------------------------------------

  async getAuditLogs(query: AuditLogQuery = {}): Promise<AuditLogRecord[]> {
    const res = await this.request<{ audits?: AuditLogRecord[] }>({ method: 'GET', path: '/v1/audit-log', query: query as Record<string, string | number | string[]> });
    return res.data.audits ?? [];
  }
}

function writeQuery(o: WriteEntityOptions): Record<string, string | boolean | undefined> {
  return {
    upsert: o.upsert ?? true,
    merge: o.merge ?? true,
    create_missing_related_entities: o.createMissingRelatedEntities ?? false,
    validation_only: o.validationOnly,
    run_id: o.runId,
  };
}

