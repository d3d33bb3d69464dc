/**
 * GitLab REST pagination. Offset: `page`/`per_page` (default 20, clamped to 100) with `x-page`,
 * `x-per-page`, `x-next-page`, `x-prev-page`, `x-total`, `x-total-pages` and a `Link` header
 * (prev, next, first, last) — where `x-total`, `x-total-pages` and `rel="last"` are left out
 * when the result set has more than 10,000 records, as GitLab does. Keyset (jobs): the next page
 * is reachable only through `Link: <…id_before=N>; rel="next"`; no totals.
 */
import { slice, type Seq } from './seq.ts';

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;
export const COUNT_LIMIT = 10_000;
export const DEFAULT_MAX_OFFSET = 50_000;

export type PageResult<T> = { ok: true; items: T[]; headers: Record<string, string> } | { ok: false; status: number; body: unknown };

function parsePositiveInt(raw: string | null, name: string, fallback: number): number | { error: string } {
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) return { error: `${name} is invalid` };
  const n = Number(raw);
  return n < 1 ? fallback : n;
}

/** Reads `per_page`, clamped to 1..100 the way GitLab does. */
export function perPageOf(query: URLSearchParams): number | { error: string } {
  const v = parsePositiveInt(query.get('per_page'), 'per_page', DEFAULT_PER_PAGE);
  return typeof v === 'number' ? Math.min(v, MAX_PER_PAGE) : v;
}

function linkFor(requestUrl: URL, params: Record<string, string>): string {
  const u = new URL(requestUrl.href);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

/**
 * Offset pagination of a sequence. `maxOffset` is set for endpoints that also offer keyset
 * pagination (GitLab refuses offsets above its `offset_pagination_limit` there with 405).
 */
export function paginateOffset<T>(seq: Seq<T>, requestUrl: URL, opts: { maxOffset?: number; resourceType?: string } = {}): PageResult<T> {
  const q = requestUrl.searchParams;
  const page = parsePositiveInt(q.get('page'), 'page', 1);
  if (typeof page !== 'number') return { ok: false, status: 400, body: { error: page.error } };
  const perPage = perPageOf(q);
  if (typeof perPage !== 'number') return { ok: false, status: 400, body: { error: perPage.error } };
  if (opts.maxOffset && (page - 1) * perPage >= opts.maxOffset) {
    return {
      ok: false, status: 405,
      body: { message: `405 Method Not Allowed - Offset pagination has a maximum allowed offset of ${opts.maxOffset} for requests that return objects of type ${opts.resourceType ?? 'Ci::Build'}. Remaining records can be retrieved using keyset pagination.` },
    };
  }
  const total = seq.length;
  const start = (page - 1) * perPage;
  const items = slice(seq, start, start + perPage);
  const hasNext = start + perPage < total;
  const hasPrev = page > 1;
  const countable = total <= COUNT_LIMIT;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const base = { per_page: String(perPage) };
  const links: string[] = [];
  if (hasPrev) links.push(`<${linkFor(requestUrl, { ...base, page: String(page - 1) })}>; rel="prev"`);
  if (hasNext) links.push(`<${linkFor(requestUrl, { ...base, page: String(page + 1) })}>; rel="next"`);
  links.push(`<${linkFor(requestUrl, { ...base, page: '1' })}>; rel="first"`);
  if (countable) links.push(`<${linkFor(requestUrl, { ...base, page: String(totalPages) })}>; rel="last"`);
  const headers: Record<string, string> = {
    'x-page': String(page), 'x-per-page': String(perPage),
    'x-next-page': hasNext ? String(page + 1) : '', 'x-prev-page': hasPrev ? String(page - 1) : '',
    link: links.join(', '),
  };
  if (countable) {
    headers['x-total'] = String(total);
    headers['x-total-pages'] = String(totalPages);
  }
  return { ok: true, items, headers };
}

/**
 * Keyset pagination by id over a sequence sorted ascending by id. Only `order_by=id` is
 * supported (as for GitLab's jobs endpoint); the cursor is `id_before` (desc) / `id_after` (asc).
 */
export function paginateKeyset<T extends { id: number }>(asc: Seq<T>, requestUrl: URL): PageResult<T> {
  const q = requestUrl.searchParams;
  const orderBy = q.get('order_by') ?? 'id';
  const sort = q.get('sort') ?? 'desc';
  if (orderBy !== 'id' || (sort !== 'asc' && sort !== 'desc')) {
    return { ok: false, status: 405, body: { message: '405 Method Not Allowed - Keyset pagination is not yet available for this type of request' } };
  }
  const perPage = perPageOf(q);
  if (typeof perPage !== 'number') return { ok: false, status: 400, body: { error: perPage.error } };
  const cursorRaw = q.get(sort === 'desc' ? 'id_before' : 'id_after');
  const cursor = cursorRaw === null ? null : Number(cursorRaw);
  if (cursorRaw !== null && !Number.isInteger(cursor)) return { ok: false, status: 400, body: { error: `${sort === 'desc' ? 'id_before' : 'id_after'} is invalid` } };
  // Binary search for the first position past the cursor (ids ascend along `asc`).
  const firstGreater = (id: number) => {
    let lo = 0; let hi = asc.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (asc.at(mid).id <= id) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const items: T[] = [];
  let more = false;
  if (sort === 'desc') {
    let i = cursor === null ? asc.length - 1 : firstGreater(cursor - 1) - 1;
    for (; i >= 0 && items.length < perPage; i--) items.push(asc.at(i));
    more = i >= 0;
  } else {
    let i = cursor === null ? 0 : firstGreater(cursor);
    for (; i < asc.length && items.length < perPage; i++) items.push(asc.at(i));
    more = i < asc.length;
  }
  const headers: Record<string, string> = {};
  if (more && items.length > 0) {
    const last = items[items.length - 1].id;
    const next = new URL(requestUrl.href);
    next.searchParams.delete('page');
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('order_by', 'id');
    next.searchParams.set('sort', sort);
    next.searchParams.delete(sort === 'desc' ? 'id_before' : 'id_after');
    next.searchParams.set(sort === 'desc' ? 'id_before' : 'id_after', String(last));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return { ok: true, items, headers };
}
