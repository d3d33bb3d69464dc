/**
 * REST API v4 routes of the local GitLab. Handlers return a Reply; the server adds auth, rate
 * limit headers and fault injection around them. Permissions follow GitLab: reading needs
 * membership (else 404), group hooks need Premium (else 404) and Owner (else 403), project hooks
 * need Maintainer, and writes need a token with the `api` scope.
 */
import type { RouteContext } from '../http/router.ts';
import { Router } from '../http/router.ts';
import { readRawBody } from '../http/body.ts';
import { paginateKeyset, paginateOffset } from './pagination.ts';
import { arraySeq, filtered, reversed, type Seq } from './seq.ts';
import { arrayParam, boolParam, enumParam, intParam, listParam, timeParam } from './params.ts';
import { isParamError, type HookKind, type HookRec } from './hooks.ts';
import type { GitLabInstance, TokenInfo } from './instance.ts';
import type { GroupView } from './state.ts';
import type { DeploymentRec, ProjectRec } from './model.ts';
import { restTime } from './format.ts';

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; headers?: Record<string, string> }
  | { status: number; empty: true; headers?: Record<string, string> };

export type GitLabRouteContext = RouteContext & { auth: TokenInfo };

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, json: body, headers });
const notFound = (what: string): Reply => json(404, { message: `404 ${what} Not Found` });
const forbidden = (): Reply => json(403, { message: '403 Forbidden' });
const insufficientScope = (): Reply => json(403, {
  error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api',
});

/** Whether a version string (`15.4.0-ee`) is older than major.minor; unreadable versions count as current. */
function versionBefore(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) < major || (Number(m[1]) === major && Number(m[2]) < minor) : false;
}
const TEST_TRIGGERS = ['push_events', 'tag_push_events', 'issues_events', 'confidential_issues_events', 'note_events', 'merge_requests_events', 'job_events', 'pipeline_events', 'wiki_page_events', 'releases_events', 'emoji_events', 'resource_access_token_events'];

export function buildRoutes(gl: GitLabInstance): Router<GitLabRouteContext> {
  const r = new Router<GitLabRouteContext>();
  const { state } = gl;
  const A = '/api/v4';

  const page = <T>(seq: Seq<T>, ctx: GitLabRouteContext, render: (t: T) => unknown, opts: { maxOffset?: number } = {}): Reply => {
    const res = paginateOffset(seq, ctx.url, opts);
    if (!res.ok) return json(res.status, res.body);
    return json(200, res.items.map(render), res.headers);
  };

  /** Resolves `:id` (numeric or URL-decoded full path) to a group the token can see. */
  const findGroup = (ctx: GitLabRouteContext): GroupView | null => {
    const id = ctx.params.id;
    const g = /^\d+$/.test(id) ? state.group(Number(id)) : state.groupByPath(id);
    if (!g || state.accessLevel(ctx.auth.user.id, g.id) < 10) return null;
    return g;
  };
  const projectAccess = (ctx: GitLabRouteContext, p: ProjectRec): number => {
    if (state.inMainTree(p.namespaceId)) return state.accessLevel(ctx.auth.user.id, p.namespaceId);
    // Projects of the partners namespace are visible through their share with the top-level group (Developer).
    return state.accessLevel(ctx.auth.user.id, state.topGroup.id) >= 10 ? 30 : 0;
  };
  const findProject = (ctx: GitLabRouteContext): ProjectRec | null => {
    const id = ctx.params.id;
    const p = /^\d+$/.test(id) ? state.project(Number(id)) : state.projectByPath(id);
    if (!p || projectAccess(ctx, p) < 10) return null;
    return p;
  };
  const withGroup = (h: (ctx: GitLabRouteContext, g: GroupView) => Reply | Promise<Reply>) => (ctx: GitLabRouteContext) => {
    const g = findGroup(ctx);
    return g ? h(ctx, g) : notFound('Group');
  };
  const withProject = (h: (ctx: GitLabRouteContext, p: ProjectRec) => Reply | Promise<Reply>) => (ctx: GitLabRouteContext) => {
    const p = findProject(ctx);
    return p ? h(ctx, p) : notFound('Project');
  };
  const listFilter = (q: URLSearchParams, defaultOrder: 'created_at' | 'updated_at' = 'created_at') => ({
    nonArchived: boolParam(q, 'non_archived', true)!,
    updatedAfter: timeParam(q, 'updated_after'), updatedBefore: timeParam(q, 'updated_before'),
    createdAfter: timeParam(q, 'created_after'), createdBefore: timeParam(q, 'created_before'),
    labels: listParam(q, 'labels'),
    orderBy: enumParam(q, 'order_by', ['created_at', 'updated_at', 'id'] as const, defaultOrder),
    sort: enumParam(q, 'sort', ['asc', 'desc'] as const, 'desc'),
  });
  const scopeAuthor = (ctx: GitLabRouteContext): number | undefined => {
    const scope = enumParam(ctx.query, 'scope', ['created_by_me', 'assigned_to_me', 'all', 'created-by-me', 'assigned-to-me'] as const, 'all');
    const authorId = intParam(ctx.query, 'author_id');
    return scope === 'created_by_me' || scope === 'created-by-me' ? ctx.auth.user.id : authorId;
  };

  // ---- instance & user ---------------------------------------------------------------------------
  const metadata = () => json(200, { version: gl.version, revision: '6a1b2c3d4e5', kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null }, enterprise: gl.tier !== 'free' });
  r.get(`${A}/version`, metadata);
  r.get(`${A}/metadata`, metadata);
  r.get(`${A}/user`, (ctx) => json(200, gl.rest.currentUser(ctx.auth.user)));
  // Added in GitLab 15.5: an older instance answers it as any unknown route (as OAuth tokens do too).
  r.get(`${A}/personal_access_tokens/self`, (ctx) => versionBefore(gl.version, 15, 5) ? json(404, { error: '404 Not Found' }) : json(200, {
    id: ctx.auth.id, name: ctx.auth.name, revoked: false, created_at: restTime(ctx.auth.createdAt), description: null,
    scopes: ctx.auth.scopes, user_id: ctx.auth.user.id, last_used_at: restTime(state.now()), active: true,
    expires_at: ctx.auth.expiresAt,
  }));

  // ---- groups ------------------------------------------------------------------------------------
  r.get(`${A}/groups/:id`, withGroup((ctx, g) => {
    const body: Record<string, unknown> = gl.rest.group(g);
    if (boolParam(ctx.query, 'with_projects', true)) {
      const own = state.groupProjects(g.id, { includeSubgroups: false, withShared: false });
      const shared = g.id === state.topGroup.id ? state.groupProjects(g.id, { includeSubgroups: false, withShared: true }) : arraySeq([]);
      const take = (s: Seq<ProjectRec>, pred: (p: ProjectRec) => boolean) => {
        const out: unknown[] = [];
        for (let i = 0; i < s.length && out.length < 100; i++) if (pred(s.at(i))) out.push(gl.rest.project(s.at(i)));
        return out;
      };
      body.projects = take(own, () => true);
      body.shared_projects = take(shared, (p) => p.namespaceId !== g.id);
    }
    return json(200, body);
  }));

  const groupList = (directOnly: boolean) => withGroup((ctx, g) => {
    const q = ctx.query;
    const orderBy = enumParam(q, 'order_by', ['name', 'path', 'id', 'similarity'] as const, 'name');
    const sort = enumParam(q, 'sort', ['asc', 'desc'] as const, 'asc');
    const search = q.get('search')?.toLowerCase();
    const skip = new Set(arrayParam(q, 'skip_groups').map(Number));
    let groups = state.descendants(g.id, directOnly).filter((x) => !skip.has(x.id) && state.accessLevel(ctx.auth.user.id, x.id) >= 10);
    if (search) groups = groups.filter((x) => x.name.toLowerCase().includes(search) || x.path.toLowerCase().includes(search));
    const key = (x: GroupView) => (orderBy === 'id' ? x.id : orderBy === 'path' ? x.path : x.name);
    groups.sort((a, b) => { const ka = key(a); const kb = key(b); return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * (sort === 'asc' ? 1 : -1); });
    return page(arraySeq(groups), ctx, (x) => gl.rest.group(x));
  });
  r.get(`${A}/groups/:id/descendant_groups`, groupList(false));
  r.get(`${A}/groups/:id/subgroups`, groupList(true));

  r.get(`${A}/groups/:id/projects`, withGroup((ctx, g) => {
    const q = ctx.query;
    const orderBy = enumParam(q, 'order_by', ['id', 'created_at'] as const, 'created_at');
    void orderBy; // id order equals creation order in the sandbox, so both read the same sequence.
    const sort = enumParam(q, 'sort', ['asc', 'desc'] as const, 'desc');
    const archived = boolParam(q, 'archived');
    const seq = state.groupProjects(g.id, {
      includeSubgroups: boolParam(q, 'include_subgroups', false)!, withShared: boolParam(q, 'with_shared', true)!, archived,
    });
    const simple = boolParam(q, 'simple', false);
    const render = (p: ProjectRec) => {
      const full = gl.rest.project(p);
      if (!simple) return full;
      const keys = ['id', 'description', 'name', 'name_with_namespace', 'path', 'path_with_namespace', 'created_at', 'default_branch', 'tag_list', 'topics', 'ssh_url_to_repo', 'http_url_to_repo', 'web_url', 'readme_url', 'forks_count', 'avatar_url', 'star_count', 'last_activity_at', 'visibility', 'namespace'];
      return Object.fromEntries(keys.map((k) => [k, full[k]]));
    };
    return page(sort === 'asc' ? seq : reversed(seq), ctx, render);
  }));

  r.get(`${A}/groups/:id/merge_requests`, withGroup((ctx, g) => {
    const q = ctx.query;
    const f = { ...listFilter(q), state: enumParam(q, 'state', ['opened', 'closed', 'locked', 'merged', 'all'] as const, 'all'), authorId: scopeAuthor(ctx) };
    const simple = q.get('view') === 'simple';
    return page(state.groupMergeRequests(g.id, f), ctx, (mr) => {
      const full = gl.rest.mergeRequest(mr);
      return simple ? Object.fromEntries(['id', 'iid', 'project_id', 'title', 'description', 'state', 'created_at', 'updated_at', 'web_url'].map((k) => [k, full[k]])) : full;
    });
  }));

  r.get(`${A}/groups/:id/issues`, withGroup((ctx, g) => {
    const q = ctx.query;
    const f = {
      ...listFilter(q), state: enumParam(q, 'state', ['opened', 'closed', 'all'] as const), confidential: boolParam(q, 'confidential'),
      issueType: enumParam(q, 'issue_type', ['issue', 'incident', 'test_case', 'task'] as const), authorId: scopeAuthor(ctx),
    };
    return page(state.groupIssues(g.id, f), ctx, (is) => gl.rest.issue(is));
  }));

  const members = (all: boolean) => withGroup((ctx, g) => {
    const query = ctx.query.get('query')?.toLowerCase();
    const ids = arrayParam(ctx.query, 'user_ids').map(Number);
    let list = all ? state.allMembers(g.id) : state.directMembers(g.id);
    if (ids.length) list = list.filter((m) => ids.includes(m.userId));
    if (query) list = list.filter((m) => { const u = state.user(m.userId); return !!u && (u.name.toLowerCase().includes(query) || u.username.toLowerCase().includes(query)); });
    return page(arraySeq(list), ctx, (m) => gl.rest.member(m));
  });
  r.get(`${A}/groups/:id/members`, members(false));
  r.get(`${A}/groups/:id/members/all`, members(true));

  // ---- projects ----------------------------------------------------------------------------------
  r.get(`${A}/projects/:id`, withProject((_ctx, p) => json(200, gl.rest.project(p))));

  r.get(`${A}/projects/:id/pipelines`, withProject((ctx, p) => {
    const q = ctx.query;
    const status = q.get('status');
    const ref = q.get('ref');
    const source = q.get('source');
    const scope = enumParam(q, 'scope', ['running', 'pending', 'finished', 'branches', 'tags'] as const);
    const updatedAfter = timeParam(q, 'updated_after');
    const updatedBefore = timeParam(q, 'updated_before');
    const orderBy = enumParam(q, 'order_by', ['id', 'status', 'ref', 'updated_at', 'user_id'] as const, 'id');
    const sort = enumParam(q, 'sort', ['asc', 'desc'] as const, 'desc');
    const finished = ['success', 'failed', 'canceled', 'skipped'];
    let seq = filtered(state.projectPipelines(p.id), (x) => (!status || x.status === status) && (!ref || x.ref === ref)
      && (!source ? x.source !== 'parent_pipeline' : x.source === source)
      && (!scope || (scope === 'finished' ? finished.includes(x.status) : scope === 'tags' ? false : scope === 'branches' ? true : x.status === scope))
      && (updatedAfter === undefined || x.updatedAt >= updatedAfter) && (updatedBefore === undefined || x.updatedAt <= updatedBefore),
    state.cache, `pipes:${state.version}:${p.id}:${ctx.url.search}`);
    if (orderBy !== 'id') {
      const items = Array.from({ length: seq.length }, (_, i) => seq.at(i));
      const key = (x: (typeof items)[number]) => (orderBy === 'updated_at' ? x.updatedAt : orderBy === 'user_id' ? x.userId : orderBy === 'ref' ? x.ref : x.status);
      items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
      seq = arraySeq(items);
    }
    return page(sort === 'asc' ? seq : reversed(seq), ctx, (x) => gl.rest.pipelineBasic(x));
  }));
  r.get(`${A}/projects/:id/pipelines/:pipeline_id`, withProject((ctx, p) => {
    const pipe = state.pipeline(Number(ctx.params.pipeline_id));
    return pipe && pipe.projectId === p.id ? json(200, gl.rest.pipeline(pipe)) : notFound('');
  }));
  r.get(`${A}/projects/:id/pipelines/:pipeline_id/jobs`, withProject((ctx, p) => {
    const pipe = state.pipeline(Number(ctx.params.pipeline_id));
    if (!pipe || pipe.projectId !== p.id) return notFound('');
    const scope = arrayParam(ctx.query, 'scope');
    const jobs = state.pipelineJobs(pipe).filter((j) => scope.length === 0 || scope.includes(j.status)).reverse();
    return page(arraySeq(jobs), ctx, (j) => gl.rest.job(j));
  }));
  r.get(`${A}/projects/:id/jobs`, withProject((ctx, p) => {
    const scope = arrayParam(ctx.query, 'scope');
    const all = state.projectJobs(p.id);
    const seq = scope.length === 0 ? all : filtered(all, (j) => scope.includes(j.status), state.cache, `jobs:${state.version}:${p.id}:${scope.join(',')}`);
    if (ctx.query.get('pagination') === 'keyset') {
      const res = paginateKeyset(seq, ctx.url);
      return res.ok ? json(200, res.items.map((j) => gl.rest.job(j)), res.headers) : json(res.status, res.body);
    }
    return page(reversed(seq), ctx, (j) => gl.rest.job(j), { maxOffset: gl.maxOffset });
  }));
  r.get(`${A}/projects/:id/jobs/:job_id`, withProject((ctx, p) => {
    const j = state.job(Number(ctx.params.job_id));
    return j && j.projectId === p.id ? json(200, gl.rest.job(j)) : notFound('');
  }));
  r.get(`${A}/projects/:id/releases`, withProject((ctx, p) => {
    enumParam(ctx.query, 'order_by', ['released_at', 'created_at'] as const, 'released_at');
    const sort = enumParam(ctx.query, 'sort', ['asc', 'desc'] as const, 'desc');
    const seq = state.projectReleases(p.id);
    return page(sort === 'asc' ? seq : reversed(seq), ctx, (x) => gl.rest.release(x));
  }));
  r.get(`${A}/projects/:id/releases/:tag_name`, withProject((ctx, p) => {
    const rel = state.release(p.id, ctx.params.tag_name);
    return rel ? json(200, gl.rest.release(rel)) : notFound('');
  }));
  r.get(`${A}/projects/:id/deployments`, withProject((ctx, p) => {
    const q = ctx.query;
    const orderBy = enumParam(q, 'order_by', ['id', 'iid', 'created_at', 'updated_at', 'finished_at', 'ref'] as const, 'id');
    const sort = enumParam(q, 'sort', ['asc', 'desc'] as const, 'asc');
    const status = enumParam(q, 'status', ['created', 'running', 'success', 'failed', 'canceled', 'blocked'] as const);
    const env = q.get('environment');
    // Documented filters (Deployments API); GitLab wants them paired with order_by=updated_at.
    const updatedAfter = timeParam(q, 'updated_after');
    const updatedBefore = timeParam(q, 'updated_before');
    let seq = filtered(state.projectDeployments(p.id), (d) => (!status || d.status === status) && (!env || d.environment === env)
      && (updatedAfter === undefined || d.updatedAt >= updatedAfter) && (updatedBefore === undefined || d.updatedAt <= updatedBefore),
    state.cache, `deps:${state.version}:${p.id}:${ctx.url.search}`);
    if (orderBy === 'updated_at') {
      const items = Array.from({ length: seq.length }, (_, i) => seq.at(i)).sort((a, b) => a.updatedAt - b.updatedAt || a.id - b.id);
      seq = arraySeq(items);
    }
    return page(sort === 'asc' ? seq : reversed(seq), ctx, (d) => gl.rest.deployment(d));
  }));

  // Environments API (GET /projects/:id/environments): name, search and states filters; by id.
  r.get(`${A}/projects/:id/environments`, withProject((ctx, p) => {
    const q = ctx.query;
    const states = enumParam(q, 'states', ['available', 'stopping', 'stopped'] as const);
    const name = q.get('name');
    const search = q.get('search');
    const byEnv = new Map<number, DeploymentRec[]>();
    const deps = state.projectDeployments(p.id);
    for (let i = 0; i < deps.length; i++) {
      const d = deps.at(i);
      const list = byEnv.get(d.environmentId);
      if (list) list.push(d);
      else byEnv.set(d.environmentId, [d]);
    }
    const envs = [...byEnv.entries()].sort(([a], [b]) => a - b).map(([, ds]) => ds)
      .filter((ds) => (!states || states === 'available') && (!name || ds[0]!.environment === name) && (!search || ds[0]!.environment.includes(search)));
    return page(arraySeq(envs), ctx, (ds) => gl.rest.environment(ds));
  }));

  // ---- hooks -------------------------------------------------------------------------------------
  const hookOwner = (kind: HookKind, ctx: GitLabRouteContext, write: boolean): { ownerId: number } | Reply => {
    if (kind === 'group') {
      // Group webhooks are a Premium feature: on a Free/CE instance the route does not exist.
      if (gl.tier === 'free') return json(404, { error: '404 Not Found' });
      const g = findGroup(ctx);
      if (!g) return notFound('Group');
      if (write && !ctx.auth.scopes.includes('api')) return insufficientScope();
      if (state.accessLevel(ctx.auth.user.id, g.id) < 50) return forbidden();
      return { ownerId: g.id };
    }
    const p = findProject(ctx);
    if (!p) return notFound('Project');
    if (write && !ctx.auth.scopes.includes('api')) return insufficientScope();
    if (projectAccess(ctx, p) < 40) return forbidden();
    return { ownerId: p.id };
  };
  const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'status' in v;

  for (const kind of ['group', 'project'] as const) {
    const base = `${A}/${kind === 'group' ? 'groups' : 'projects'}/:id/hooks`;
    const findHook = (ctx: GitLabRouteContext, ownerId: number): HookRec | null => {
      const id = ctx.params.hook_id;
      return /^\d+$/.test(id) ? gl.hooks.get(kind, ownerId, Number(id)) : null;
    };
    r.get(base, (ctx) => {
      const o = hookOwner(kind, ctx, false);
      if (isReply(o)) return o;
      return page(arraySeq(gl.hooks.list(kind, o.ownerId)), ctx, (h) => gl.hooks.render(h, state.now()));
    });
    r.get(`${base}/:hook_id`, (ctx) => {
      const o = hookOwner(kind, ctx, false);
      if (isReply(o)) return o;
      const h = findHook(ctx, o.ownerId);
      return h ? json(200, gl.hooks.render(h, state.now())) : json(404, { message: '404 Not found' });
    });
    r.post(base, async (ctx) => {
      const o = hookOwner(kind, ctx, true);
      if (isReply(o)) return o;
      const params = await readParams(ctx);
      if (isReply(params)) return params;
      if (gl.hooks.list(kind, o.ownerId).length >= (kind === 'group' ? 50 : 100)) {
        return json(422, { message: { base: [`Maximum number of ${kind} hooks (${kind === 'group' ? 50 : 100}) exceeded`] } });
      }
      const h = gl.hooks.apply(kind, o.ownerId, params, state.now());
      return isParamError(h) ? json(h.status, h.body) : json(201, gl.hooks.render(h, state.now()));
    });
    r.put(`${base}/:hook_id`, async (ctx) => {
      const o = hookOwner(kind, ctx, true);
      if (isReply(o)) return o;
      const existing = findHook(ctx, o.ownerId);
      if (!existing) return json(404, { message: '404 Not found' });
      const params = await readParams(ctx);
      if (isReply(params)) return params;
      const h = gl.hooks.apply(kind, o.ownerId, params, state.now(), existing);
      return isParamError(h) ? json(h.status, h.body) : json(200, gl.hooks.render(h, state.now()));
    });
    r.delete(`${base}/:hook_id`, (ctx) => {
      const o = hookOwner(kind, ctx, true);
      if (isReply(o)) return o;
      const h = findHook(ctx, o.ownerId);
      if (!h) return json(404, { message: '404 Not found' });
      gl.hooks.delete(h.id);
      return { status: 204, empty: true };
    });
    r.post(`${base}/:hook_id/test/:trigger`, async (ctx) => {
      const o = hookOwner(kind, ctx, true);
      if (isReply(o)) return o;
      const h = findHook(ctx, o.ownerId);
      if (!h) return json(404, { message: '404 Not found' });
      if (!TEST_TRIGGERS.includes(ctx.params.trigger)) return json(400, { error: 'trigger does not have a valid value' });
      const limited = gl.takeHookTestBudget(kind, o.ownerId, ctx.auth.user.id);
      if (limited) return json(429, { message: 'This endpoint has been requested too many times. Try again later.' });
      const result = await gl.testHook(h, ctx.params.trigger);
      if (result.outcome === 'delivered') return json(201, { message: '201 Created' });
      return json(422, { message: result.status ? `[${result.status}] Hook execution failed` : `Hook execution failed: ${result.error ?? 'no response'}` });
    });
  }
  return r;
}

/** Reads POST/PUT params from a JSON or form body, or the query string (Grape merges all three). */
async function readParams(ctx: GitLabRouteContext): Promise<Record<string, unknown> | Reply> {
  const raw = await readRawBody(ctx.req, 1024 * 1024);
  if (!raw.ok) return raw.reason === 'too_large' ? json(413, { message: '413 Request Entity Too Large' }) : json(400, { error: raw.message });
  const params: Record<string, unknown> = Object.fromEntries(ctx.query.entries());
  const text = raw.value.toString('utf8');
  const type = String(ctx.req.headers['content-type'] ?? '');
  if (text.trim() === '') return params;
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(text)) params[k] = v;
    return params;
  }
  try {
    const body = JSON.parse(text);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return json(400, { error: 'The request body must be a JSON object' });
    return { ...params, ...body };
  } catch {
    return json(400, { error: 'The request body contains invalid JSON' });
  }
}
