// The local Port's scorecard and page routes, and the scorecard levels on entity reads: what
// issue 11 adds to Port's API surface, kept apart from the blueprint/entity/webhook routes.
import type { Scorecard } from '../../../schemas/scorecards-file.schema.ts';
import { boolParam, type ApiAnswer, type ApiRequest, type ApiRoute } from './route-kit.ts';
import { computedValues } from './computed/index.ts';
import type { PortContext } from './context.ts';
import { entityGraph } from './entities.ts';
import { checkPageBody, checkPagePatch, createPage, deletePage, deleteWidget, getPage, listPages, patchPage, patchWidget, putPage } from './pages.ts';
import { entityScorecards } from './scorecard-levels.ts';
import { createScorecard, deleteScorecard, getScorecard, listScorecards, putScorecard, putScorecards } from './scorecards.ts';

const ok = (status: number, body: Record<string, unknown> = {}): ApiAnswer => ({ status, body: { ok: true, ...body } });

export function resourceRoutes(ctx: PortContext): ApiRoute[] {
  return [
    // Scorecards (§1.1). Success shapes from terraform and port-mcp-server: `{ok, scorecard}` / `{ok, scorecards}`.
    { method: 'POST', path: '/v1/blueprints/:blueprint/scorecards', operation: 'create-a-scorecard', auth: true, handle: ({ params, body, writer }) => ok(201, { scorecard: createScorecard(ctx, params.blueprint, body, writer) }) },
    { method: 'PUT', path: '/v1/blueprints/:blueprint/scorecards', operation: 'change-scorecards', auth: true, handle: ({ params, body, writer }) => ok(200, { scorecards: putScorecards(ctx, params.blueprint, body, writer) }) },
    { method: 'GET', path: '/v1/blueprints/:blueprint/scorecards', operation: 'get-a-blueprints-scorecards', auth: true, handle: ({ params }) => ok(200, { scorecards: listScorecards(ctx, params.blueprint) }) },
    { method: 'GET', path: '/v1/blueprints/:blueprint/scorecards/:identifier', operation: 'get-a-scorecard', auth: true, handle: ({ params }) => ok(200, { scorecard: getScorecard(ctx, params.blueprint, params.identifier) }) },
    { method: 'PUT', path: '/v1/blueprints/:blueprint/scorecards/:identifier', operation: 'change-a-scorecard', auth: true, handle: ({ params, body, writer }) => ok(200, { scorecard: putScorecard(ctx, params.blueprint, params.identifier, body, writer) }) },
    {
      method: 'DELETE', path: '/v1/blueprints/:blueprint/scorecards/:identifier', operation: 'delete-a-scorecard', auth: true,
      handle: ({ params }) => {
        deleteScorecard(ctx, params.blueprint, params.identifier);
        return ok(200);
      },
    },
    { method: 'GET', path: '/v1/scorecards', operation: 'get-all-scorecards', auth: true, handle: () => ok(200, { scorecards: listScorecards(ctx) }) },

    // Pages (§1.2, beta). POST/PUT/PATCH of a page are not in the current reference: checked as pages.ts says.
    { method: 'POST', path: '/v1/pages', operation: 'historical-2024-03/create-pages', checkBody: checkPageBody, auth: true, handle: ({ body, writer }) => ok(201, { identifier: createPage(ctx, body, writer).identifier }) },
    { method: 'GET', path: '/v1/pages', operation: 'get-all-pages-in-your-portal', auth: true, handle: ({ query }) => ok(200, { pages: listPages(ctx, boolParam(query, 'compact')) }) },
    { method: 'GET', path: '/v1/pages/:identifier', operation: 'get-a-page', auth: true, handle: ({ params }) => ok(200, { page: getPage(ctx, params.identifier) }) },
    { method: 'PUT', path: '/v1/pages/:identifier', operation: 'historical-2024-03/create-pages', checkBody: checkPageBody, auth: true, handle: ({ params, body, writer }) => ok(200, { page: putPage(ctx, params.identifier, body, writer) }) },
    { method: 'PATCH', path: '/v1/pages/:identifier', operation: 'historical-2024-03/patch-a-page', checkBody: checkPagePatch, auth: true, handle: ({ params, body, writer }) => ok(200, { page: patchPage(ctx, params.identifier, body, writer) }) },
    {
      method: 'DELETE', path: '/v1/pages/:identifier', operation: 'delete-a-page', auth: true,
      handle: ({ params }) => {
        deletePage(ctx, params.identifier);
        return ok(200);
      },
    },
    {
      method: 'PATCH', path: '/v1/pages/:page/widgets/:widget', operation: 'update-a-widget', auth: true,
      handle: ({ params, body, writer }) => {
        patchWidget(ctx, params.page, params.widget, body, writer);
        return ok(200, { identifier: params.widget });
      },
    },
    {
      method: 'DELETE', path: '/v1/pages/:page/widgets/:widget', operation: 'delete-a-widget', auth: true,
      handle: ({ params, writer }) => {
        deleteWidget(ctx, params.page, params.widget, writer);
        return ok(200);
      },
    },
  ];
}

/** Entity reads scoped to one blueprint: the ones that answer with `scorecards` on each entity. */
const ENTITY_READS = new Set(['get-an-entity', 'get-all-entities-of-a-blueprint', 'search-a-blueprints-entities']);

function wants(req: ApiRequest, route: ApiRoute): boolean {
  const include = route.operation === 'search-a-blueprints-entities' ? (req.body?.include as string[] | undefined) : [...req.query.getAll('include'), ...req.query.getAll('include[]')];
  const exclude = route.operation === 'search-a-blueprints-entities' ? (req.body?.exclude as string[] | undefined) : [...req.query.getAll('exclude'), ...req.query.getAll('exclude[]')];
  if (include?.length && !include.includes('scorecards')) return false;
  return !exclude?.includes('scorecards');
}

/**
 * Adds each entity's `scorecards` (evaluated now) to the blueprint-scoped entity reads, as Port's
 * entity JSON carries them. Only for blueprints that have scorecards, so every other answer keeps
 * to the published get-an-entity schema (which lists no `scorecards`). Cross-blueprint search
 * (`POST /v1/entities/search`) answers without them: the product never reads levels that way.
 */
export function withScorecardLevels(ctx: PortContext, routes: ApiRoute[]): ApiRoute[] {
  return routes.map((route) => {
    if (!ENTITY_READS.has(route.operation)) return route;
    return {
      ...route,
      handle: (req) => {
        const answer = route.handle(req);
        const blueprint = req.params.blueprint;
        const scorecards = Object.values(ctx.state.scorecards?.[blueprint] ?? {}) as unknown as Scorecard[];
        if (!scorecards.length || !wants(req, route)) return answer;
        const body = answer.body as { entity?: Record<string, unknown>; entities?: Array<Record<string, unknown>> };
        const graph = entityGraph(ctx);
        const views = body.entity ? [body.entity] : body.entities ?? [];
        const stored = views.map((v) => ctx.state.entities[blueprint]?.[String(v.identifier)]).filter((e) => e !== undefined);
        // The aggregation, mirror and calculation properties the rules read, computed as the read's own are (computed/).
        const read = new Set(scorecards.flatMap((sc) => [...sc.rules.flatMap((r) => r.query.conditions), ...(sc.filter?.conditions ?? [])].flatMap((c) => ('property' in c ? [c.property] : []))));
        const computed = computedValues(ctx, blueprint, stored, ctx.calculate, (field) => read.has(field));
        const decorate = (view: Record<string, unknown>) => {
          const e = ctx.state.entities[blueprint]?.[String(view.identifier)];
          if (!e) return view;
          const entity = { ...e, properties: { ...e.properties, ...(computed.get(e.identifier) ?? {}) } };
          return { ...view, scorecards: entityScorecards(scorecards, entity, graph) };
        };
        if (body.entity) return { ...answer, body: { ...body, entity: decorate(body.entity) } };
        if (body.entities) return { ...answer, body: { ...body, entities: body.entities.map(decorate) } };
        return answer;
      },
    };
  });
}
