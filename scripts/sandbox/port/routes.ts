// The local Port's REST routes: method, path, Port's operation name (whose published schema
// validates the body), and the handler that answers with Port's envelope and status.
import type { Blueprint, Webhook } from '../../port/types.ts';
import { issueToken } from './auth.ts';
import { queryAuditLog } from './audit-log.ts';
import { createBlueprint, deleteBlueprint, getBlueprint, listBlueprints, patchBlueprint, putBlueprint } from './blueprints.ts';
import { projectedFields, withComputed } from './computed/index.ts';
import {
  bulkDelete, bulkWrite, countEntities, deleteAllEntities, deleteEntity, entityGraph, getEntity, listEntities, project, searchEntities, toView, writeEntity,
  type SearchRequest, type WriteFlags,
} from './entities.ts';
import { boolParam, type ApiAnswer, type ApiRoute, type RouteDeps } from './route-kit.ts';
import { assertQuerySupported, matchesQuery, type SearchQuery } from './search.ts';
import { createWebhook, deleteWebhook, getWebhook, patchWebhook, putWebhook, toWebhookView } from './webhooks.ts';
import { resourceRoutes, withScorecardLevels } from './resource-routes.ts';

export type { ApiAnswer, ApiRequest, ApiRoute, RouteDeps } from './route-kit.ts';
export { boolParam } from './route-kit.ts';

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = [...query.getAll(name), ...query.getAll(`${name}[]`)];
  return values.length ? values : undefined;
}

function writeFlags(query: URLSearchParams): WriteFlags {
  return {
    upsert: boolParam(query, 'upsert'),
    merge: boolParam(query, 'merge'),
    createMissingRelatedEntities: boolParam(query, 'create_missing_related_entities'),
    validationOnly: boolParam(query, 'validation_only'),
  };
}

const ok = (status: number, body: Record<string, unknown> = {}): ApiAnswer => ({ status, body: { ok: true, ...body } });

export function portRoutes({ ctx, baseUrl, tokenLifetimeSeconds }: RouteDeps): ApiRoute[] {
  const webhookView = (id: string) => toWebhookView(getWebhook(ctx, id), baseUrl());
  return withScorecardLevels(ctx, [
    {
      method: 'POST', path: '/v1/auth/access_token', operation: 'create-an-access-token', auth: false,
      handle: ({ body }) => ({ status: 200, body: issueToken(ctx, body.clientId, body.clientSecret, tokenLifetimeSeconds) }),
    },

    // Blueprints
    {
      method: 'POST', path: '/v1/blueprints', operation: 'create-a-blueprint', auth: true,
      handle: ({ body, query, writer }) => ok(201, { blueprint: createBlueprint(ctx, body as Blueprint, writer, boolParam(query, 'create_catalog_page', true)) }),
    },
    { method: 'GET', path: '/v1/blueprints', operation: 'get-all-blueprints', auth: true, handle: () => ok(200, { blueprints: listBlueprints(ctx) }) },
    { method: 'GET', path: '/v1/blueprints/:identifier', operation: 'get-a-blueprint', auth: true, handle: ({ params }) => ok(200, { blueprint: getBlueprint(ctx, params.identifier) }) },
    { method: 'PATCH', path: '/v1/blueprints/:identifier', operation: 'update-a-blueprint', auth: true, handle: ({ params, body, writer }) => ok(200, { blueprint: patchBlueprint(ctx, params.identifier, body, writer) }) },
    { method: 'PUT', path: '/v1/blueprints/:identifier', operation: 'change-a-blueprint', auth: true, handle: ({ params, body, writer }) => ok(200, { blueprint: putBlueprint(ctx, params.identifier, body, writer) }) },
    {
      method: 'DELETE', path: '/v1/blueprints/:identifier', operation: 'delete-a-blueprint', auth: true,
      handle: ({ params, query, writer }) => {
        boolParam(query, 'delete_actions');
        deleteBlueprint(ctx, params.identifier, writer);
        return ok(200);
      },
    },

    // Entities (literal segments before `:entity` so `bulk`/`search` win for POST)
    {
      method: 'POST', path: '/v1/blueprints/:blueprint/entities/bulk', operation: 'create-multiple-entities', auth: true,
      handle: ({ params, query, body, writer }) => {
        const r = bulkWrite(ctx, params.blueprint, body.entities, writeFlags(query), writer);
        return { status: r.errors.length ? 207 : 200, body: { ok: r.errors.length === 0, entities: r.entities, errors: r.errors } };
      },
    },
    {
      method: 'POST', path: '/v1/blueprints/:blueprint/entities/search', operation: 'search-a-blueprints-entities', auth: true,
      handle: ({ params, body }) => ok(200, searchEntities(ctx, params.blueprint, (body ?? {}) as SearchRequest)),
    },
    {
      method: 'POST', path: '/v1/blueprints/:blueprint/entities', operation: 'create-an-entity', auth: true,
      handle: ({ params, query, body, writer }) => ok(201, { entity: toView(writeEntity(ctx, params.blueprint, body, writeFlags(query), writer).entity) }),
    },
    {
      method: 'GET', path: '/v1/blueprints/:blueprint/entities', operation: 'get-all-entities-of-a-blueprint', auth: true,
      handle: ({ params, query }) => {
        const [include, exclude] = [listParam(query, 'include'), listParam(query, 'exclude')];
        const entities = withComputed(ctx, params.blueprint, listEntities(ctx, params.blueprint), ctx.calculate, projectedFields(include, exclude));
        return ok(200, { entities: entities.map((e) => project(toView(e), include, exclude)) });
      },
    },
    {
      method: 'GET', path: '/v1/blueprints/:blueprint/entities/:entity', operation: 'get-an-entity', auth: true,
      handle: ({ params, query }) => {
        const [include, exclude] = [listParam(query, 'include'), listParam(query, 'exclude')];
        const [entity] = withComputed(ctx, params.blueprint, [getEntity(ctx, params.blueprint, params.entity)], ctx.calculate, projectedFields(include, exclude));
        return ok(200, { entity: project(toView(entity!), include, exclude) });
      },
    },
    {
      method: 'PATCH', path: '/v1/blueprints/:blueprint/entities/:entity', operation: 'update-an-entity', auth: true,
      handle: ({ params, query, body, writer }) => ok(200, { entity: toView(writeEntity(ctx, params.blueprint, body, { ...writeFlags(query), upsert: true, merge: true }, writer, 'patch', params.entity).entity) }),
    },
    {
      method: 'PUT', path: '/v1/blueprints/:blueprint/entities/:entity', operation: 'change-an-entity', auth: true,
      handle: ({ params, query, body, writer }) => ok(200, { entity: toView(writeEntity(ctx, params.blueprint, body, { ...writeFlags(query), upsert: true, merge: false }, writer, 'put', params.entity).entity) }),
    },
    {
      method: 'DELETE', path: '/v1/blueprints/:blueprint/entities/:entity', operation: 'delete-an-entity', auth: true,
      handle: ({ params, query, writer }) => {
        deleteEntity(ctx, params.blueprint, params.entity, boolParam(query, 'delete_dependents'), writer);
        return ok(200);
      },
    },
    {
      method: 'POST', path: '/v1/blueprints/:blueprint/bulk/entities/delete', operation: 'delete-multiple-entities', auth: true,
      handle: ({ params, query, body, writer }) => ok(200, { deletedEntities: bulkDelete(ctx, params.blueprint, body.entities, boolParam(query, 'delete_dependents'), writer) }),
    },
    { method: 'GET', path: '/v1/blueprints/:blueprint/entities-count', operation: 'get-a-blueprints-entity-count', auth: true, handle: ({ params }) => ok(200, { count: countEntities(ctx, params.blueprint) }) },
    {
      method: 'DELETE', path: '/v1/blueprints/:blueprint/all-entities', operation: 'delete-all-entities-of-a-blueprint', auth: true,
      handle: ({ params, query, writer }) => {
        const dropBlueprint = boolParam(query, 'delete_blueprint');
        deleteAllEntities(ctx, params.blueprint, writer);
        if (dropBlueprint) deleteBlueprint(ctx, params.blueprint, writer);
        return ok(200);
      },
    },
    {
      method: 'POST', path: '/v1/entities/search', operation: 'search-entities', auth: true,
      handle: ({ body, query }) => {
        const q = body as SearchQuery;
        assertQuerySupported(q);
        const matching: string[] = [];
        const entities: unknown[] = [];
        const graph = entityGraph(ctx);
        for (const [bp, bucket] of Object.entries(ctx.state.entities)) {
          const [include, exclude] = [listParam(query, 'include'), listParam(query, 'exclude')];
          const found = Object.values(bucket).filter((e) => matchesQuery(e, q, graph));
          if (found.length) matching.push(bp);
          for (const e of withComputed(ctx, bp, found, ctx.calculate, projectedFields(include, exclude))) entities.push(project(toView(e), include, exclude));
        }
        return ok(200, { matchingBlueprints: matching, entities });
      },
    },

    // Webhooks
    { method: 'POST', path: '/v1/webhooks', operation: 'create-a-webhook', auth: true, handle: ({ body, writer }) => ok(201, { integration: toWebhookView(createWebhook(ctx, body as Webhook, writer), baseUrl()) }) },
    { method: 'GET', path: '/v1/webhooks', operation: 'get-all-webhooks', auth: true, handle: () => ok(200, { integrations: Object.values(ctx.state.webhooks).map((w) => toWebhookView(w, baseUrl())) }) },
    { method: 'GET', path: '/v1/webhooks/:identifier', operation: 'get-a-webhook', auth: true, handle: ({ params }) => ok(200, { integration: webhookView(params.identifier) }) },
    { method: 'PATCH', path: '/v1/webhooks/:identifier', operation: 'update-a-webhook', auth: true, handle: ({ params, body, writer }) => ok(200, { integration: toWebhookView(patchWebhook(ctx, params.identifier, body, writer), baseUrl()) }) },
    { method: 'PUT', path: '/v1/webhooks/:identifier', operation: 'change-a-webhook', auth: true, handle: ({ params, body, writer }) => ok(200, { integration: toWebhookView(putWebhook(ctx, params.identifier, body, writer), baseUrl()) }) },
    {
      method: 'DELETE', path: '/v1/webhooks/:identifier', operation: 'delete-a-webhook', auth: true,
      handle: ({ params, writer }) => {
        deleteWebhook(ctx, params.identifier, writer);
        return ok(200);
      },
    },

    // Audit log
    { method: 'GET', path: '/v1/audit-log', operation: 'get-audit-logs', auth: true, handle: ({ query }) => ok(200, { audits: queryAuditLog(ctx.state.audit, query) }) },

    // Scorecards and pages (resource-routes.ts).
    ...resourceRoutes(ctx),
  ]);
}
