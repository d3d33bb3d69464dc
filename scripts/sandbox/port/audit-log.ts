// GET /v1/audit-log: filters from get-audit-logs.json over the recorded outcomes, newest first.
import { invalid } from './errors.ts';
import type { AuditEntry } from './store.ts';

const INCLUDABLE = new Set(['action', 'context', 'diff', 'identifier', 'resourceType', 'status', 'trigger', 'additionalData', 'message']);
const DEFAULT_LIMIT = 1000;

export function queryAuditLog(entries: readonly AuditEntry[], query: URLSearchParams): Array<Partial<AuditEntry>> {
  const list = (name: string) => [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((v) => v.split(',')).filter(Boolean);
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? DEFAULT_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1) throw invalid(`querystring/limit must be a positive integer, got "${limitRaw}"`);
  const status = query.get('status');
  if (status !== null && status !== 'SUCCESS' && status !== 'FAILURE') throw invalid(`querystring/status must be SUCCESS or FAILURE, got "${status}"`);
  const time = (name: string) => {
    const v = query.get(name);
    if (v === null) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw invalid(`querystring/${name} must be an ISO date-time such as 2024-04-23T18:25:43.511Z, got "${v}"`);
    return t;
  };
  const from = time('from');
  const to = time('to');
  const resources = new Set(list('resources'));
  const origins = new Set(list('origin'));
  const includes = list('includes');
  for (const i of includes) if (!INCLUDABLE.has(i)) throw invalid(`querystring/includes: "${i}" is not one of ${[...INCLUDABLE].join(', ')}`);

  const identifier = query.get('identifier');
  const entity = query.get('entity');
  const blueprint = query.get('blueprint');
  const webhookId = query.get('webhookId');
  const webhookEventId = query.get('webhookEventId');
  const action = query.get('action');
  const out: Array<Partial<AuditEntry>> = [];
  for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
    const e = entries[i];
    if (identifier !== null && e.identifier !== identifier) continue;
    if (entity !== null && e.context.entity !== entity) continue;
    if (blueprint !== null && e.context.blueprint !== blueprint) continue;
    if (webhookId !== null && e.context.webhook !== webhookId) continue;
    if (webhookEventId !== null && e.context.webhookEvent !== webhookEventId) continue;
    if (status !== null && e.status !== status) continue;
    if (action !== null && e.action !== action) continue;
    if (resources.size && !resources.has(e.resourceType)) continue;
    if (origins.size && !origins.has(e.trigger.origin) && !(e.context.webhook && origins.has(e.context.webhook))) continue;
    const at = Date.parse(e.trigger.at);
    if (from !== undefined && at < from) continue;
    if (to !== undefined && at > to) continue;
    out.push(includes.length ? Object.fromEntries(includes.filter((k) => k in e).map((k) => [k, e[k as keyof AuditEntry]])) : e);
  }
  return out;
}
