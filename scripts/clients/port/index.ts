// Public surface of the Port client.
export { PortClient, DEFAULT_PORT_RETRY, PORT_BULK_UPSERT_MAX, PORT_BULK_DELETE_MAX, PORT_SEARCH_MAX_LIMIT } from './client.ts';
export type { PortClientOptions, WriteEntityOptions, BulkItemResult, BulkUpsertResult, SearchOptions, AuditLogQuery, AuditLogRecord } from './client.ts';
export { PortApiError, PortRequestSchemaError } from './errors.ts';
export type { PortRequest, PortResponse, RetryEvent, HttpMethod } from './http.ts';
export { PortTokenManager } from './token-manager.ts';
export { deleteInBulk, type BulkDeleteOutcome, type BulkDeleteOptions } from './delete-in-bulk.ts';
export { resolvePortBaseUrl, PORT_REGIONS, DEFAULT_PORT_API_URL } from './region.ts';
export type { PortRegion } from './region.ts';
