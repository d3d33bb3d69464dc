// Page routes of the local Port (reference/port-resources.md §1.2; the Pages API is beta).
// Published: GET all (`compact`), GET one, DELETE, PATCH/DELETE a widget. Not in the current
// reference, but what Port's own clients call: POST (answers only `{ok, identifier}`, as terraform
// notes), PUT (full replace, `{ok, page}`), PATCH (partial, e.g. `{locked: true}`).
// Bodies: the page's own fields are checked against the last published page schemas
// (historical-2024-03/create-pages, patch-a-page); their widget branches lost their `properties`
// when published and would refuse every widget any client sends, so a widget is only required to
// be an object with a string `type` (Port: "lacks certain validations" while in beta).
import type { ErrorObject } from 'ajv';
import { checkRequestBody, type SchemaCheck } from '../../port/api-schemas.ts';
import { isoNow, type PortContext, type Writer } from './context.ts';
import { identifierTaken, invalid, notFound } from './errors.ts';
import type { StoredPage } from './store.ts';

type Body = Record<string, unknown>;

function widgetErrors(widgets: unknown): ErrorObject[] {
  if (widgets === undefined) return [];
  if (!Array.isArray(widgets)) return [{ instancePath: '/widgets', schemaPath: '', keyword: 'type', params: {}, message: 'must be array' }];
  const out: ErrorObject[] = [];
  const visit = (list: unknown[], at: string) => list.forEach((w, i) => {
    if (typeof w !== 'object' || w === null || typeof (w as Body).type !== 'string') out.push({ instancePath: `${at}/${i}`, schemaPath: '', keyword: 'required', params: { missingProperty: 'type' }, message: 'must be an object with a string "type"' });
    else if (Array.isArray((w as Body).widgets)) visit((w as Body).widgets as unknown[], `${at}/${i}/widgets`);
  });
  visit(widgets, '/widgets');
  return out;
}

function pageCheck(operation: 'historical-2024-03/create-pages' | 'historical-2024-03/patch-a-page', body: unknown): SchemaCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return checkRequestBody(operation, body);
  const { widgets, ...rest } = body as Body;
  const errors = [...checkRequestBody(operation, rest).errors, ...widgetErrors(widgets)];
  return { ok: errors.length === 0, errors };
}

/** POST and PUT bodies. */
export const checkPageBody = (body: unknown): SchemaCheck => pageCheck('historical-2024-03/create-pages', body);
/** PATCH bodies. */
export const checkPagePatch = (body: unknown): SchemaCheck => pageCheck('historical-2024-03/patch-a-page', body);

function pages(ctx: PortContext): Record<string, StoredPage> {
  return (ctx.state.pages ??= {});
}

export function getPage(ctx: PortContext, identifier: string): StoredPage {
  const p = pages(ctx)[identifier];
  if (!p) throw notFound(`Page with identifier "${identifier}" was not found`);
  return p;
}

/** `compact`: without widgets (inferred from the parameter's name; Port documents no more). */
export function listPages(ctx: PortContext, compact: boolean): Body[] {
  return Object.values(pages(ctx)).map((p) => {
    if (!compact) return p;
    const { widgets: _w, ...rest } = p;
    return rest;
  });
}

function store(ctx: PortContext, body: Body, writer: Writer, before?: StoredPage): StoredPage {
  const at = isoNow(ctx);
  const page = {
    ...structuredClone(body),
    widgets: structuredClone((body.widgets as Array<Record<string, unknown>> | undefined) ?? []),
    identifier: String(body.identifier),
    createdAt: before?.createdAt ?? at,
    createdBy: before?.createdBy ?? writer.by,
    updatedAt: at,
    updatedBy: writer.by,
  } as StoredPage;
  pages(ctx)[page.identifier] = page;
  ctx.changed();
  return page;
}

export function createPage(ctx: PortContext, body: Body, writer: Writer): StoredPage {
  if (pages(ctx)[String(body.identifier)]) throw identifierTaken(`Page with identifier "${String(body.identifier)}" already exists`);
  return store(ctx, body, writer);
}

export function putPage(ctx: PortContext, identifier: string, body: Body, writer: Writer): StoredPage {
  const before = getPage(ctx, identifier);
  if (body.identifier !== undefined && body.identifier !== identifier) throw invalid(`A page's identifier cannot change ("${identifier}" → "${String(body.identifier)}")`);
  return store(ctx, { ...body, identifier }, writer, before);
}

export function patchPage(ctx: PortContext, identifier: string, patch: Body, writer: Writer): StoredPage {
  const before = getPage(ctx, identifier);
  if (patch.identifier !== undefined && patch.identifier !== identifier) throw invalid(`A page's identifier cannot change ("${identifier}" → "${String(patch.identifier)}")`);
  const { createdAt: _c, createdBy: _cb, updatedAt: _u, updatedBy: _ub, ...rest } = before;
  return store(ctx, { ...rest, ...patch, identifier }, writer, before);
}

export function deletePage(ctx: PortContext, identifier: string): void {
  getPage(ctx, identifier);
  delete pages(ctx)[identifier];
  ctx.changed();
}

/** The widget with this id, at the top level or inside a dashboard-widget, and the list holding it. */
function findWidget(page: StoredPage, id: string): { list: Array<Record<string, unknown>>; index: number } {
  const search = (list: Array<Record<string, unknown>>): { list: Array<Record<string, unknown>>; index: number } | undefined => {
    const index = list.findIndex((w) => w.id === id);
    if (index >= 0) return { list, index };
    for (const w of list) {
      const found = Array.isArray(w.widgets) ? search(w.widgets as Array<Record<string, unknown>>) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const found = search(page.widgets);
  if (!found) throw notFound(`Widget with id "${id}" was not found on page "${page.identifier}"`);
  return found;
}

/** PATCH a widget: its fields are merged (the published route has no body schema). */
export function patchWidget(ctx: PortContext, pageId: string, widgetId: string, patch: Body, writer: Writer): void {
  const page = structuredClone(getPage(ctx, pageId));
  const { list, index } = findWidget(page, widgetId);
  if (patch.id !== undefined && patch.id !== widgetId) throw invalid(`A widget's id cannot change ("${widgetId}" → "${String(patch.id)}")`);
  list[index] = { ...list[index], ...patch, id: widgetId };
  store(ctx, page, writer, getPage(ctx, pageId));
}

export function deleteWidget(ctx: PortContext, pageId: string, widgetId: string, writer: Writer): void {
  const page = structuredClone(getPage(ctx, pageId));
  const { list, index } = findWidget(page, widgetId);
  list.splice(index, 1);
  store(ctx, page, writer, getPage(ctx, pageId));
}
