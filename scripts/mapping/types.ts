// Shapes shared by the mapping engine, `preview`, the local Port's ingest route and the backfill.

/** A request as Port's webhook ingest hands it to the mappings: `{headers, body, queryParams}`. */
export interface WebhookRequest {
  headers: Record<string, string>;
  body: unknown;
  queryParams?: Record<string, string>;
}

/** An entity a mapping produced (identifier, title, properties, relations), as Port's entity API takes it. */
export interface MappedEntity {
  identifier: string;
  title?: string | null;
  icon?: string | null;
  team?: unknown;
  properties?: Record<string, unknown>;
  relations?: Record<string, unknown>;
}

export interface EntityAction {
  action: 'upsert' | 'delete';
  blueprint: string;
  entity: MappedEntity;
  /** Only for deletes: Port's `deleteDependents` (the plain `"delete"` operation deletes dependents). */
  deleteDependents?: boolean;
  /** Index of the mapping (in the webhook's `mappings` array) that produced the action. */
  mapping: number;
}

export interface Problem {
  message: string;
  mapping?: number;
  blueprint?: string;
  /** Where in the mapping: `filter`, `itemsToParse`, `entity.identifier`, `entity.properties.state`, … */
  field?: string;
}

export interface MappingResult {
  actions: EntityAction[];
  problems: Problem[];
}
