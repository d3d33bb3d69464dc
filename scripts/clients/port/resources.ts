// Port's scorecard and page routes (reference/port-resources.md §1.1, §1.2) over the typed
// client's transport. Scorecard bodies are checked against Port's published schemas; the page
// write routes are beta and unpublished, so page bodies are checked by `validate` instead.
import type { Scorecard } from '../../../schemas/scorecards-file.schema.ts';
import type { PageFile } from '../../../schemas/page-file.schema.ts';
import type { PortClient } from './client.ts';

const enc = encodeURIComponent;

/** A scorecard as Port answers it: the body plus Port's fields (`id`, `blueprint`, audit fields). */
export type StoredScorecard = Scorecard & { blueprint?: string; id?: string; [key: string]: unknown };
/** A page as Port answers it (GET /v1/pages/{id}): the body a client sent plus Port's fields. */
export type StoredPage = Record<string, unknown> & { identifier: string };

/** The blueprint's scorecards; none when the blueprint does not exist (404). */
export async function listScorecards(port: PortClient, blueprint: string): Promise<StoredScorecard[]> {
  const res = await port.request<{ scorecards?: StoredScorecard[] }>({ method: 'GET', path: `/v1/blueprints/${enc(blueprint)}/scorecards`, accept: [404] });
  return res.status === 404 ? [] : res.data.scorecards ?? [];
}

export async function createScorecard(port: PortClient, blueprint: string, scorecard: Scorecard): Promise<void> {
  await port.request({ method: 'POST', path: `/v1/blueprints/${enc(blueprint)}/scorecards`, body: scorecard, operation: 'create-a-scorecard' });
}

/** Full replace: Port has no PATCH for scorecards, and their identifiers never change. */
export async function putScorecard(port: PortClient, blueprint: string, scorecard: Scorecard): Promise<void> {
  await port.request({ method: 'PUT', path: `/v1/blueprints/${enc(blueprint)}/scorecards/${enc(scorecard.identifier)}`, body: scorecard, operation: 'change-a-scorecard' });
}

/** true when deleted, false when it did not exist. */
export async function deleteScorecard(port: PortClient, blueprint: string, identifier: string): Promise<boolean> {
  const res = await port.request({ method: 'DELETE', path: `/v1/blueprints/${enc(blueprint)}/scorecards/${enc(identifier)}`, accept: [404] });
  return res.status !== 404;
}

/** The page, or null when Port answers 404. */
export async function getPage(port: PortClient, identifier: string): Promise<StoredPage | null> {
  const res = await port.request<{ page: StoredPage }>({ method: 'GET', path: `/v1/pages/${enc(identifier)}`, accept: [404] });
  return res.status === 404 ? null : res.data.page;
}

/** Port answers only `{ok, identifier}` (terraform's note): read the page back with getPage to see it. */
export async function createPage(port: PortClient, page: PageFile): Promise<void> {
  await port.request({ method: 'POST', path: '/v1/pages', body: page });
}

/** Full replace (terraform's UpdatePage). */
export async function putPage(port: PortClient, page: PageFile): Promise<void> {
  await port.request({ method: 'PUT', path: `/v1/pages/${enc(page.identifier)}`, body: page });
}

export async function deletePage(port: PortClient, identifier: string): Promise<boolean> {
  const res = await port.request({ method: 'DELETE', path: `/v1/pages/${enc(identifier)}`, accept: [404] });
  return res.status !== 404;
}
