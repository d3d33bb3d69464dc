// What Port's webhook ingest refuses before any mapping runs (port.md §1.7, webhook.md): a body
// over 512 KiB (413 Request Entity Too Large), and, for a secured webhook, a request without the
// security header or with the wrong value (the event is dropped). The local Port enforces the same.
export const INGEST_BODY_LIMIT = 512 * 1024;
