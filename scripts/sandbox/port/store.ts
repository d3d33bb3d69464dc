// The local Port's state: credentials, tokens, blueprints, entities, webhooks, the audit log and
// the ingest dedupe keys. In memory by default; with a `stateFile`, loaded at start and written
// (atomically, debounced) after changes so that a sandbox survives a restart.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredBlueprint, Webhook } from '../../port/types.ts';

export interface StoredEntity {
  identifier: string;
  title: string | null;
  icon: string | null;
  team: string | string[] | null;
  properties: Record<string, unknown>;
  relations: Record<string, string | string[] | null>;
  blueprint: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
  /** The writer's User-Agent (Port's `$datasource` meta-property). */
  datasource: string | null;
}

export interface StoredWebhookRecord extends Webhook {
  identifier: string;
  webhookKey: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

export interface AuditEntry {
  identifier: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  resourceType: 'entity' | 'blueprint' | 'webhook';
  status: 'SUCCESS' | 'FAILURE';
  message?: string;
  trigger: { at: string; origin: 'API' | 'WEBHOOK'; by: { orgId: string; userId?: string } };
  context: { blueprint?: string; entity?: string; webhook?: string; webhookEvent?: string };
  diff?: { before: unknown; after: unknown };
  additionalData?: Record<string, unknown>;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenRecord {
  token: string;
  clientId: string;
  expiresAt: number;
}

export interface PortState {
  version: 1;
  orgId: string;
  credentials: Credentials;
  tokens: TokenRecord[];
  blueprints: Record<string, StoredBlueprint>;
  /** blueprint → identifier → entity; object key order is creation order. */
  entities: Record<string, Record<string, StoredEntity>>;
  webhooks: Record<string, StoredWebhookRecord>;
  catalogPages: string[];
  audit: AuditEntry[];
  /** webhook identifier → request identifiers already processed (Port never processes one twice). */
  seenRequests: Record<string, string[]>;
  /** blueprint → scorecard identifier → scorecard (scorecards.ts); absent in state files written before scorecards existed. */
  scorecards?: Record<string, Record<string, StoredScorecard>>;
  /** page identifier → page (pages.ts). */
  pages?: Record<string, StoredPage>;
}

/** A scorecard as Port answers it: the create body (levels defaulted) plus its blueprint and audit fields. */
export interface StoredScorecard {
  identifier: string;
  title: string;
  blueprint: string;
  levels: Array<{ title: string; color: string }>;
  rules: Array<{ identifier: string; title: string; description?: string; level: string; query: { combinator: 'and' | 'or'; conditions: unknown[] } }>;
  filter?: { combinator: 'and' | 'or'; conditions: unknown[] };
  id: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** A page as the local Port keeps it: the body a client sent, plus audit fields. */
export type StoredPage = Record<string, unknown> & { identifier: string; widgets: Array<Record<string, unknown>>; createdAt: string; updatedAt: string; createdBy: string; updatedBy: string };

/** Bounds that keep a long-running sandbox's memory and state file small. */
export const MAX_AUDIT_ENTRIES = 20_000;
export const MAX_SEEN_REQUESTS = 50_000;

export function emptyState(orgId: string, credentials: Credentials): PortState {
  return { version: 1, orgId, credentials, tokens: [], blueprints: {}, entities: {}, webhooks: {}, catalogPages: [], audit: [], seenRequests: {} };
}

export function loadState(file: string): PortState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: PortState;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as PortState;
  } catch (err) {
    throw new Error(`The local Port state file ${file} is not valid JSON (${(err as Error).message}); delete it to start empty.`);
  }
  if (parsed?.version !== 1 || typeof parsed.blueprints !== 'object') {
    throw new Error(`The local Port state file ${file} is not a version-1 state; delete it to start empty.`);
  }
  return parsed;
}

let tmpCounter = 0;

/** Debounced, atomic persistence: changes are written at most every `delayMs`, and on flush. */
export class StatePersister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly file: string, private readonly snapshot: () => PortState, private readonly delayMs = 50) {
    mkdirSync(dirname(file), { recursive: true });
  }

  markDirty(): void {
    this.dirty = true;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.delayMs);
      this.timer.unref();
    }
  }

  /** Writes pending changes; resolves when they are on disk. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const text = JSON.stringify(this.snapshot());
    const tmp = this.tmpName();
    this.writing = this.writing.then(async () => {
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    return this.writing;
  }

  /** Unique per write: two local Ports of one process on the same file (a restart) must not rename each other's file away. */
  private tmpName(): string {
    return `${this.file}.${process.pid}.${++tmpCounter}.tmp`;
  }

  /** Synchronous final write, for process exit paths. */
  flushSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    const tmp = this.tmpName();
    writeFileSync(tmp, JSON.stringify(this.snapshot()), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
