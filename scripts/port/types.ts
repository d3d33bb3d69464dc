// Structural types for Port's blueprint, entity and webhook objects.
//
// They mirror Port's published request schemas, vendored in schemas/port-api/:
//   - Blueprint*  ← create-a-blueprint.json (requestBody), and the `blueprint` of get-a-blueprint.json (200)
//   - Entity*     ← create-an-entity.json (requestBody), and the `entity` of get-an-entity.json (200)
//   - Webhook*    ← create-a-webhook.json (requestBody); the response adds `webhookKey` and `url` (§1.7)
// The files are 17–90 KB of JSON with recursive, flattened query schemas, so json-schema-to-ts
// `FromSchema` (which needs them as TS const literals) is impractical; the shapes are written once
// here instead. The runtime truth stays the schema: scripts/port/api-schemas.ts validates every body.

export type { MappedEntity } from '../mapping/types.ts';

/** `type` of a blueprint property (create-a-blueprint: schema.properties.*.type). */
export type PropertyType = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** `format` of a blueprint property (create-a-blueprint: schema.properties.*.format). */
export type PropertyFormat =
  | 'date-time' | 'url' | 'email' | 'idn-email' | 'ipv4' | 'ipv6' | 'markdown' | 'yaml'
  | 'user' | 'blueprints' | 'team' | 'timer' | 'proto' | 'labeled-url';

export type EnumColor =
  | 'blue' | 'turquoise' | 'orange' | 'purple' | 'pink' | 'yellow' | 'green' | 'red' | 'gold'
  | 'silver' | 'paleBlue' | 'darkGray' | 'lightGray' | 'bronze' | 'lime' | 'olive' | 'brown';

/** `items` of an array property. */
export interface PropertyItems {
  type: PropertyType;
  format?: PropertyFormat;
  enum?: unknown[];
  enumColors?: Record<string, EnumColor>;
  [key: string]: unknown;
}

/** One entry of `schema.properties`. The published schema requires only `type` and allows more keys. */
export interface BlueprintProperty {
  type: PropertyType;
  title?: string;
  description?: string;
  icon?: string;
  format?: PropertyFormat;
  spec?: 'open-api' | 'embedded-url' | 'async-api';
  specAuthentication?: { clientId: string; authorizationUrl: string; tokenUrl: string; authorizationScope?: string[] };
  default?: unknown;
  enum?: unknown[];
  enumColors?: Record<string, EnumColor>;
  items?: PropertyItems;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  [key: string]: unknown;
}

export interface BlueprintSchema {
  properties: Record<string, BlueprintProperty>;
  required?: string[];
}

export interface BlueprintRelation {
  target: string;
  required: boolean;
  many: boolean;
  title?: string;
  description?: string;
}

export interface BlueprintCalculationProperty {
  calculation: string;
  type: PropertyType;
  title?: string;
  description?: string;
  icon?: string;
  format?: PropertyFormat;
  colorized?: boolean;
  colors?: Record<string, EnumColor>;
  items?: { type?: PropertyType; format?: PropertyFormat };
}

export interface BlueprintMirrorProperty {
  /** `relationId.propertyId` (or a longer relation chain), e.g. `project.url` or `project.$title`. */
  path: string;
  title?: string;
}

export interface BlueprintAggregationProperty {
  title: string;
  target: string;
  calculationSpec: Record<string, unknown>;
  description?: string;
  icon?: string;
  type?: 'number';
  query?: EntitiesQuery;
  pathFilter?: Array<{ path: string[]; fromBlueprint?: string }>;
}

export type BlueprintOwnership = { type: 'Direct'; title?: string } | { type: 'Inherited'; path: string; title?: string };

export interface Blueprint {
  identifier: string;
  title: string;
  description?: string;
  icon?: string;
  ownership?: BlueprintOwnership;
  schema: BlueprintSchema;
  calculationProperties?: Record<string, BlueprintCalculationProperty>;
  mirrorProperties?: Record<string, BlueprintMirrorProperty>;
  aggregationProperties?: Record<string, BlueprintAggregationProperty>;
  relations?: Record<string, BlueprintRelation>;
  changelogDestination?: { type: 'WEBHOOK'; url: string; agent?: boolean } | { type: 'KAFKA' };
  [key: string]: unknown;
}

/** A blueprint as Port answers it (get-a-blueprint 200): the create body plus audit fields. */
export interface StoredBlueprint extends Blueprint {
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

// --- Search queries (search-a-blueprints-entities requestBody.query) -------------------------

/** A relation path (search "Path filter rule", operator `matchAny`): relations to follow, one may repeat up to `maxHops` (1–15). */
export interface RelationPath {
  path: Array<string | { relation: string; maxHops?: number }>;
  fromBlueprint?: string;
}

export interface QueryRule {
  property?: string | { property: string; context: string } | RelationPath;
  operator: string;
  value?: unknown;
  [key: string]: unknown;
}

export interface EntitiesQuery {
  combinator: 'and' | 'or';
  rules: Array<QueryRule | EntitiesQuery>;
}

// --- Entities (create-an-entity requestBody) ------------------------------------------------

export type RelationValue = string | string[] | null | EntitiesQuery;

export interface Entity {
  /** A string, or a search query `{combinator, rules}` that finds exactly one entity ("map by property"). */
  identifier?: string | EntitiesQuery;
  title?: string | null;
  icon?: string | null;
  team?: string | string[] | EntitiesQuery | null;
  properties?: Record<string, unknown>;
  relations?: Record<string, RelationValue>;
  [key: string]: unknown;
}

// --- Webhooks (create-a-webhook requestBody) ------------------------------------------------

export type WebhookOperation =
  | 'create' | 'delete' | { type: 'create' } | { type: 'delete'; deleteDependents?: boolean };

export interface WebhookMappingEntity {
  identifier: string | { combinator: string; rules: unknown[] };
  title?: string;
  icon?: string;
  team?: string | { combinator: string; rules: unknown[] };
  properties?: Record<string, string>;
  relations?: Record<string, string | { combinator: string; rules: unknown[] }>;
}

export interface WebhookMapping {
  blueprint: string;
  operation?: WebhookOperation;
  filter?: string;
  itemsToParse?: string;
  entity: WebhookMappingEntity;
}

export interface WebhookSecurity {
  secret?: string | null;
  signatureHeaderName?: string | null;
  signatureAlgorithm?: 'sha1' | 'sha256' | 'plain' | null;
  signaturePrefix?: string | null;
  requestIdentifierPath?: string | null;
}

export interface Webhook {
  identifier?: string;
  title: string;
  description?: string;
  icon?: string;
  mappings?: WebhookMapping[];
  enabled: boolean;
  security?: WebhookSecurity;
  integrationType?: 'custom' | 'template';
}

/** A webhook as Port answers it in `{ok, integration}`: the body plus its ingest key and URL. */
export interface StoredWebhook extends Webhook {
  identifier: string;
  webhookKey: string;
  url: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** Port's error body (§1.3). `details` is sent by Port for some errors (e.g. `details.property`). */
export interface PortError {
  ok: false;
  error: string;
  message: string;
  details?: Record<string, unknown>;
}
