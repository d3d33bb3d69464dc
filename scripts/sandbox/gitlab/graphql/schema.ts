// The part of GitLab's GraphQL schema the product reads (docs.gitlab.com/api/graphql/reference),
// resolved over the local GitLab's state with the REST routes' visibility rules:
//   Query.group(fullPath: ID!): Group, Query.project(fullPath: ID!): Project, Query.queryComplexity { score limit }
//   Group { id fullPath name webUrl projects(includeSubgroups, includeArchived, first, after): ProjectConnection }
//   Project { id fullPath name webUrl archived pipelines(updatedAfter, updatedBefore, status, ref, first, after): PipelineConnection
//             environments(name, search, first, after): EnvironmentConnection (one project a request)
//             environment(name, search): Environment }
//   Environment { id name tier (from 15.4) }
//   Pipeline { id iid status ref sha source path createdAt updatedAt startedAt finishedAt duration }
//   …Connection { nodes edges { cursor node } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } count }
// GitLab's conventions: global ids (`gid://gitlab/Project/1`), `Time` as ISO 8601 to the second,
// upper-case enums, keyset cursors (base64 of the last row's id), projects by id ascending,
// pipelines newest first, at most 100 nodes a page.
import type { GitLabInstance, TokenInfo } from '../instance.ts';
import type { PipelineRec, ProjectRec } from '../model.ts';
import type { GroupView } from '../state.ts';
import { Executor, FieldError, MAX_PAGE_SIZE, type FieldDef, type Schema } from './execute.ts';

export interface GraphQLContext {
  gl: GitLabInstance;
  auth: TokenInfo | null;
  /** Set by the executor for `queryComplexity`. */
  complexity?: { score: number; limit: number };
}

type Fields = Record<string, FieldDef<GraphQLContext>>;

/** An environment as its deployments name it (the local GitLab keeps no other record); tier as REST gives it. */
interface EnvironmentView { id: number; name: string; tier: string }

const PIPELINE_STATUSES = ['CREATED', 'WAITING_FOR_RESOURCE', 'PREPARING', 'PENDING', 'RUNNING', 'FAILED', 'SUCCESS', 'CANCELED', 'CANCELING', 'SKIPPED', 'MANUAL', 'SCHEDULED', 'WAITING_FOR_CALLBACK'] as const;

/** GitLab's `Time` output: ISO 8601 to the second (Types::TimeType). */
function time(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function parseTime(v: unknown): number {
  const t = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new Error(`${JSON.stringify(v)} is not a valid ISO 8601 Time`);
  return t;
}

/** GitLab's DeploymentTier enum (Types::DeploymentTierEnum): the REST and hook tiers, upper case. */
const DEPLOYMENT_TIERS = ['PRODUCTION', 'STAGING', 'TESTING', 'DEVELOPMENT', 'OTHER'] as const;

const gid = (model: string, id: number) => `gid://gitlab/${model}/${id}`;

const cursorOf = (id: number) => Buffer.from(JSON.stringify({ id: String(id) })).toString('base64');

function cursorId(cursor: string): number {
  try {
    const o = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { id?: unknown };
    const id = Number(o.id);
    if (typeof o.id === 'string' && Number.isInteger(id)) return id;
  } catch { /* below */ }
  throw new FieldError('Please provide a valid cursor');
}

const pageArgs = { first: { type: 'Int' }, after: { type: 'String' }, last: { type: 'Int' }, before: { type: 'String' } };

/** A page of a keyset connection over rows sorted by id (ascending or descending). */
function connection<T extends { id: number }>(rows: T[], args: Record<string, unknown>, descending: boolean) {
  if (args.last !== undefined || args.before !== undefined) throw new FieldError('The local GitLab pages forward only (first/after)');
  const first = args.first === undefined ? MAX_PAGE_SIZE : Number(args.first);
  if (first < 0) throw new FieldError('Argument \'first\' on Field must be a non-negative integer');
  const after = typeof args.after === 'string' ? cursorId(args.after) : undefined;
  const rest = after === undefined ? rows : rows.filter((r) => (descending ? r.id < after : r.id > after));
  const page = rest.slice(0, Math.min(first, MAX_PAGE_SIZE));
  return {
    nodes: page,
    edges: page.map((node) => ({ cursor: cursorOf(node.id), node })),
    pageInfo: { hasNextPage: rest.length > page.length, hasPreviousPage: after !== undefined, startCursor: page.length ? cursorOf(page[0]!.id) : null, endCursor: page.length ? cursorOf(page[page.length - 1]!.id) : null },
    count: rows.length,
  };
}

function connectionType(node: string): Fields {
  return {
    nodes: { type: node, list: true, resolve: (c) => c.nodes },
    edges: { type: `${node}Edge`, list: true, resolve: (c) => c.edges },
    pageInfo: { type: 'PageInfo', nonNull: true, resolve: (c) => c.pageInfo },
    count: { type: 'Int', nonNull: true, resolve: (c) => c.count },
  };
}

function edgeType(node: string): Fields {
  return { cursor: { type: 'String', nonNull: true, resolve: (e) => e.cursor }, node: { type: node, resolve: (e) => e.node } };
}

/** GitLab added `updatedAfter`/`updatedBefore` to Project.pipelines with MR 77396 (modelled here as 14.7). */
function hasPipelineUpdatedArgs(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return !m || Number(m[1]) > 14 || (Number(m[1]) === 14 && Number(m[2]) >= 7);
}

/**
 * `Environment.tier` came with gitlab-org/gitlab MR 97099 (the environments table's columns in
 * EnvironmentType, merged September 2022; modelled here as 15.4). Before it graphql-ruby answers
 * "Field 'tier' doesn't exist on type 'Environment'".
 */
function hasEnvironmentTier(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return !m || Number(m[1]) > 15 || (Number(m[1]) === 15 && Number(m[2]) >= 4);
}

export function buildSchema(version: string): Schema<GraphQLContext> {
  const canSeeGroup = (ctx: GraphQLContext, g: GroupView) => ctx.auth !== null && ctx.gl.state.accessLevel(ctx.auth.user.id, g.id) >= 10;
  const canSeeProject = (ctx: GraphQLContext, p: ProjectRec) => ctx.auth !== null && ctx.gl.state.accessLevel(ctx.auth.user.id, p.namespaceId) >= 10;
  const projectWebUrl = (ctx: GraphQLContext, p: ProjectRec) => ctx.gl.rest.projectWebUrl(p);

  const Query: Fields = {
    queryComplexity: { type: 'QueryComplexity', resolve: (_p, _a, ctx) => ctx.complexity ?? null },
    group: {
      type: 'Group', resolver: true, args: { fullPath: { type: 'ID', nonNull: true } },
      resolve: (_p, a, ctx) => { const g = ctx.gl.state.groupByPath(String(a.fullPath)); return g && canSeeGroup(ctx, g) ? g : null; },
    },
    project: {
      type: 'Project', resolver: true, args: { fullPath: { type: 'ID', nonNull: true } },
      resolve: (_p, a, ctx) => { const p = ctx.gl.state.projectByPath(String(a.fullPath)); return p && canSeeProject(ctx, p) ? p : null; },
    },
  };
  const Group: Fields = {
    id: { type: 'ID', nonNull: true, resolve: (g: GroupView) => gid('Group', g.id) },
    fullPath: { type: 'ID', nonNull: true, resolve: (g: GroupView) => g.fullPath },
    name: { type: 'String', nonNull: true, resolve: (g: GroupView) => g.name },
    webUrl: { type: 'String', nonNull: true, resolve: (g: GroupView, _a, ctx) => ctx.gl.rest.group(g).web_url },
    projects: {
      type: 'ProjectConnection', nonNull: true, resolver: true, connection: true,
      args: { includeSubgroups: { type: 'Boolean', defaultValue: false }, includeArchived: { type: 'Boolean', defaultValue: true }, ...pageArgs },
      resolve: (g: GroupView, a, ctx) => {
        const seq = ctx.gl.state.groupProjects(g.id, { includeSubgroups: a.includeSubgroups === true, withShared: false, ...(a.includeArchived === false ? { archived: false } : {}) });
        const rows: ProjectRec[] = [];
        for (let i = 0; i < seq.length; i++) { const p = seq.at(i); if (canSeeProject(ctx, p)) rows.push(p); }
        rows.sort((x, y) => x.id - y.id);
        return connection(rows, a, false);
      },
    },
  };
  const Project: Fields = {
    id: { type: 'ID', nonNull: true, resolve: (p: ProjectRec) => gid('Project', p.id) },
    fullPath: { type: 'ID', nonNull: true, resolve: (p: ProjectRec, _a, ctx) => ctx.gl.state.projectFullPath(p) },
    name: { type: 'String', nonNull: true, resolve: (p: ProjectRec) => p.name },
    webUrl: { type: 'String', resolve: (p: ProjectRec, _a, ctx) => projectWebUrl(ctx, p) },
    archived: { type: 'Boolean', resolve: (p: ProjectRec) => p.archived },
    environments: {
      type: 'EnvironmentConnection', resolver: true, connection: true,
      // GitLab: "This field can only be resolved for one project in any single request"
      // (app/graphql/types/project_type.rb: FieldCallCount, limit: 1); the local GitLab applies it
      // at every version (GitLab added it in 15.x with the environments pages' GraphQL work).
      callLimit: 1,
      args: { name: { type: 'String' }, search: { type: 'String' }, ...pageArgs },
      resolve: (p: ProjectRec, a, ctx) => {
        // The local GitLab's environments are those its deployments name (it creates none without one).
        const seq = ctx.gl.state.projectDeployments(p.id);
        const envs = new Map<number, EnvironmentView>();
        for (let i = 0; i < seq.length; i++) { const d = seq.at(i); if (!envs.has(d.environmentId)) envs.set(d.environmentId, { id: d.environmentId, name: d.environment, tier: d.environmentTier }); }
        const rows = [...envs.values()].filter((e) => (a.name === undefined || e.name === a.name) && (a.search === undefined || e.name.includes(String(a.search))));
        rows.sort((x, y) => x.id - y.id);
        return connection(rows, a, false);
      },
    },
    environment: {
      // Resolvers::EnvironmentsResolver.single: the environment of that exact name, or null; no call limit.
      type: 'Environment', resolver: true,
      args: { name: { type: 'String' }, search: { type: 'String' } },
      resolve: (p: ProjectRec, a, ctx) => {
        const seq = ctx.gl.state.projectDeployments(p.id);
        let found: EnvironmentView | null = null;
        for (let i = 0; i < seq.length; i++) {
          const d = seq.at(i);
          if ((a.name === undefined || d.environment === a.name) && (a.search === undefined || d.environment.includes(String(a.search))) && (found === null || d.environmentId < found.id)) {
            found = { id: d.environmentId, name: d.environment, tier: d.environmentTier };
          }
        }
        return found;
      },
    },
    pipelines: {
      type: 'PipelineConnection', resolver: true, connection: true,
      args: { ...(hasPipelineUpdatedArgs(version) ? { updatedAfter: { type: 'Time' }, updatedBefore: { type: 'Time' } } : {}), status: { type: 'PipelineStatusEnum' }, ref: { type: 'String' }, ...pageArgs },
      resolve: (p: ProjectRec, a, ctx) => {
        // Ci::PipelinesFinder, as the REST list: updated_at > updatedAfter, < updatedBefore; no child pipelines.
        const seq = ctx.gl.state.projectPipelines(p.id);
        const rows: PipelineRec[] = [];
        for (let i = 0; i < seq.length; i++) {
          const x = seq.at(i);
          if (x.source === 'parent_pipeline') continue;
          if (a.updatedAfter !== undefined && !(x.updatedAt >= (a.updatedAfter as number))) continue;
          if (a.updatedBefore !== undefined && !(x.updatedAt <= (a.updatedBefore as number))) continue;
          if (a.status !== undefined && x.status.toUpperCase() !== a.status) continue;
          if (a.ref !== undefined && x.ref !== a.ref) continue;
          rows.push(x);
        }
        rows.sort((x, y) => y.id - x.id);
        return connection(rows, a, true);
      },
    },
  };
  const Environment: Fields = {
    id: { type: 'ID', nonNull: true, resolve: (e: EnvironmentView) => gid('Environment', e.id) },
    name: { type: 'String', nonNull: true, resolve: (e: EnvironmentView) => e.name },
    ...(hasEnvironmentTier(version) ? { tier: { type: 'DeploymentTier', resolve: (e: EnvironmentView) => e.tier.toUpperCase() } } : {}),
  };
  const Pipeline: Fields = {
    id: { type: 'ID', nonNull: true, resolve: (x: PipelineRec) => gid('Ci::Pipeline', x.id) },
    iid: { type: 'String', nonNull: true, resolve: (x: PipelineRec) => String(x.iid) },
    status: { type: 'PipelineStatusEnum', nonNull: true, resolve: (x: PipelineRec) => x.status.toUpperCase() },
    ref: { type: 'String', resolve: (x: PipelineRec) => x.ref },
    sha: { type: 'String', resolve: (x: PipelineRec) => x.sha },
    source: { type: 'String', resolve: (x: PipelineRec) => x.source },
    path: { type: 'String', resolve: (x: PipelineRec, _a, ctx) => { const p = ctx.gl.state.project(x.projectId); return p ? `/${ctx.gl.state.projectFullPath(p)}/-/pipelines/${x.id}` : null; } },
    createdAt: { type: 'Time', nonNull: true, resolve: (x: PipelineRec) => time(x.createdAt) },
    updatedAt: { type: 'Time', nonNull: true, resolve: (x: PipelineRec) => time(x.updatedAt) },
    startedAt: { type: 'Time', resolve: (x: PipelineRec) => time(x.startedAt) },
    finishedAt: { type: 'Time', resolve: (x: PipelineRec) => time(x.finishedAt) },
    duration: { type: 'Int', resolve: (x: PipelineRec) => x.duration },
  };
  const QueryComplexity: Fields = {
    score: { type: 'Int', resolve: (c) => c.score },
    limit: { type: 'Int', resolve: (c) => c.limit },
  };
  const PageInfo: Fields = {
    hasNextPage: { type: 'Boolean', nonNull: true, resolve: (p) => p.hasNextPage },
    hasPreviousPage: { type: 'Boolean', nonNull: true, resolve: (p) => p.hasPreviousPage },
    startCursor: { type: 'String', resolve: (p) => p.startCursor },
    endCursor: { type: 'String', resolve: (p) => p.endCursor },
  };
  return {
    query: 'Query',
    objects: {
      Query, Group, Project, Pipeline, Environment, PageInfo, QueryComplexity,
      EnvironmentConnection: connectionType('Environment'), EnvironmentEdge: edgeType('Environment'),
      ProjectConnection: connectionType('Project'), ProjectEdge: edgeType('Project'),
      PipelineConnection: connectionType('Pipeline'), PipelineEdge: edgeType('Pipeline'),
    },
    enums: { PipelineStatusEnum: PIPELINE_STATUSES, DeploymentTier: DEPLOYMENT_TIERS },
    scalars: { Time: parseTime },
  };
}

const executors = new Map<string, Executor<GraphQLContext>>();

/** The executor over the schema of a GitLab version (built once per version: the schema holds no state). */
export function graphqlExecutor(version: string): Executor<GraphQLContext> {
  let e = executors.get(version);
  if (!e) executors.set(version, (e = new Executor(buildSchema(version))));
  return e;
}
