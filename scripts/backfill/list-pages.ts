// Reads a GitLab list endpoint page by page through the backfill's GitLab limiter. Offset lists
// can be read several pages at once (page numbers are known in advance; GitLab's `Link` header
// is the only way forward for keyset lists, which are read one page after the other). At most
// `parallel` pages are held at a time, and no page is requested before the consumer asks for
// more, so memory stays flat however long the list is.
import { GitLabApiError, parseLinkHeader, type GitLabClient, type GitLabResponse } from '../clients/gitlab/index.ts';
import { formatQuery } from '../clients/gitlab/query.ts';
import { nextPageUrl } from '../clients/gitlab/paginate.ts';
import type { QueryParams } from '../clients/gitlab/index.ts';
import type { Limiter } from './limiter.ts';

export interface ListSource {
  gitlab: GitLabClient;
  limiter: Limiter;
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Pages read at once for offset lists (1 = sequential). Ignored for keyset lists. */
  parallel?: number;
  /** GitLab's `x-total` of the list when it sent one (it does not above 10,000 rows), else undefined. */
  onTotal?: (total: number | undefined) => void;
  /** Bound on pages (default 1e6): a safety net against a server that never ends. */
  maxPages?: number;
}

const PER_PAGE = 100;

function asList(res: GitLabResponse<unknown>, path: string): unknown[] {
  if (!Array.isArray(res.body)) {
    throw new GitLabApiError({ status: res.status, method: 'GET', path, code: 'not_a_list', attempts: 1, message: 'expected a JSON array from a list endpoint' });
  }
  return res.body;
}

function intHeader(v: string | undefined): number | undefined {
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

export async function* listPages<T = Record<string, unknown>>(src: ListSource, path: string, params: QueryParams = {}, options: ListOptions = {}): AsyncGenerator<T[]> {
  const { gitlab, limiter, signal } = src;
  const keyset = params.pagination === 'keyset';
  const parallel = keyset ? 1 : Math.max(1, options.parallel ?? 1);
  const maxPages = options.maxPages ?? 1_000_000;
  const urlOf = (page?: number) => gitlab.transport.urlFor(path, formatQuery({ per_page: PER_PAGE, ...params, ...(page ? { page } : {}) }));
  const get = (href: string) => limiter.run(() => gitlab.request<unknown>({ method: 'GET', url: href, signal }));

  const firstUrl = urlOf(keyset ? undefined : 1);
  const first = await get(firstUrl.href);
  const firstBody = asList(first, path) as T[];
  options.onTotal?.(intHeader(first.headers['x-total']));
  yield firstBody;

  if (parallel === 1) {
    // Follow `Link: rel="next"` (keyset has no other way); x-next-page when a proxy dropped Link.
    const visited = new Set([firstUrl.href]);
    let res = first;
    let url = firstUrl;
    for (let n = 1; n < maxPages; n++) {
      const next = nextPageUrl(gitlab.transport, url, res.headers);
      if (!next) return;
      if (visited.has(next.href)) throw new GitLabApiError({ status: res.status, method: 'GET', path, code: 'pagination_loop', attempts: 1, message: 'GitLab pointed back to a page already read; stopping instead of looping' });
      visited.add(next.href);
      url = next;
      res = await get(url.href);
      yield asList(res, path) as T[];
    }
    return;
  }

  // Offset, several pages at once. With x-total-pages (lists up to 10,000 rows) exactly the pages
  // that exist are read; above that GitLab sends no total, so pages are requested ahead until one
  // says it is the last (a few empty pages past the end are the price).
  const totalPages = intHeader(first.headers['x-total-pages']);
  let ended = !hasNextPage(first.headers, firstBody.length);
  let nextPage = 2;
  type Settled = { page: number; res?: GitLabResponse<unknown>; err?: unknown };
  const inflight = new Map<number, Promise<Settled>>();
  // Each page's promise settles to a value, never rejects: pages abandoned when the consumer stops
  // or another page fails are dropped without an unhandled rejection.
  const launch = (page: number) => {
    inflight.set(page, get(urlOf(page).href).then((res) => ({ page, res }), (err: unknown) => ({ page, err })));
  };
  for (let n = 1; n < maxPages; n++) {
    while (!ended && inflight.size < parallel && (totalPages === undefined || nextPage <= totalPages)) launch(nextPage++);
    if (inflight.size === 0) return;
    const done = await Promise.race(inflight.values());
    inflight.delete(done.page);
    if (done.err !== undefined) throw done.err;
    const body = asList(done.res!, path) as T[];
    if (!hasNextPage(done.res!.headers, body.length)) ended = true;
    if (body.length) yield body;
  }
}

function hasNextPage(headers: Record<string, string>, rows: number): boolean {
  if (rows === 0) return false;
  const x = headers['x-next-page'];
  if (x !== undefined) return x !== '';
  return Boolean(parseLinkHeader(headers.link).next);
}

