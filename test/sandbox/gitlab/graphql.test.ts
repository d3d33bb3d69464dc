// The local GitLab's GraphQL endpoint (POST /api/graphql) against what GitLab documents: the
// fields the sync reads answer the same objects as the REST lists, keyset pagination of at most
// 100 nodes, GitLab's complexity formula and limit, errors as `{errors: [...]}` with HTTP 200,
// a wrong token refused with 401, anonymous requests seeing nothing private, the authenticated
// rate limit shared with REST, and an older GitLab without `updatedAfter` on Project.pipelines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { apiJson } from './helpers.ts';
import { CHANGED_PIPELINES_QUERY } from '../../../scripts/backfill/changed-pipelines.ts';

type Obj = Record<string, any>;

async function gql(gl: LocalGitLab, query: string, variables?: Obj, headers: Record<string, string> = { 'private-token': gl.token }) {
  const res = await fetch(`${gl.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Obj };
}

const PROJECTS = `query($g: ID!, $after: String, $first: Int) { group(fullPath: $g) { projects(includeSubgroups: true, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id fullPath webUrl } } } }`;

describe('local GitLab: GraphQL', () => {
  let gl: LocalGitLab;
  beforeAll(async () => {
    gl = await startLocalGitLab({ seed: 'medium' });
  });
  afterAll(async () => {
    await gl?.close();
  });

  it('lists a group\'s projects with subgroups as REST does, 100 a page at most, through keyset cursors', async () => {
    const rest = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&per_page=100&order_by=id&sort=asc`)).body as Obj[];
    const restAll: Obj[] = [...rest];
    for (let page = 2; rest.length === 100 && restAll.length % 100 === 0; page++) {
      const more = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&per_page=100&order_by=id&sort=asc&page=${page}`)).body as Obj[];
      if (!more.length) break;
      restAll.push(...more);
    }
    expect(restAll.length).toBeGreaterThan(100);
    const seen: Obj[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      // first: 500 is capped at GitLab's maximum page size (100).
      const r = await gql(gl, PROJECTS, { g: gl.group, after, first: 500 });
      expect(r.status).toBe(200);
      const conn = r.body.data.group.projects;
      expect(conn.nodes.length).toBeLessThanOrEqual(100);
      seen.push(...conn.nodes);
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(Math.ceil(restAll.length / 100));
    expect(seen.map((p) => p.id)).toEqual(restAll.map((p) => `gid://gitlab/Project/${p.id}`));
    expect(seen.map((p) => p.fullPath)).toEqual(restAll.map((p) => p.path_with_namespace));
    expect(seen.map((p) => p.webUrl)).toEqual(restAll.map((p) => p.web_url));
  });

  it('Project.pipelines(updatedAfter:) returns the pipelines the REST list returns with updated_after', async () => {
    const project = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&per_page=5`)).body[2] as Obj;
    const all = (await apiJson(gl, `/projects/${project.id}/pipelines?per_page=100`)).body as Obj[];
    const since = all[Math.floor(all.length / 2)]!.updated_at as string;
    const rest = (await apiJson(gl, `/projects/${project.id}/pipelines?per_page=100&updated_after=${encodeURIComponent(since)}`)).body as Obj[];
    const r = await gql(gl, `query($p: ID!, $since: Time!) { project(fullPath: $p) { pipelines(updatedAfter: $since, first: 100) { count nodes { id iid status ref sha source updatedAt createdAt } } } }`, { p: project.path_with_namespace, since });
    const nodes = r.body.data.project.pipelines.nodes as Obj[];
    expect(nodes.map((n) => n.id).sort()).toEqual(rest.map((p) => `gid://gitlab/Ci::Pipeline/${p.id}`).sort());
    expect(r.body.data.project.pipelines.count).toBe(rest.length);
    const byId = new Map(rest.map((p) => [`gid://gitlab/Ci::Pipeline/${p.id}`, p]));
    for (const n of nodes) {
      const p = byId.get(n.id)!;
      // GitLab's conventions: iid as a string, upper-case status enum, Time to the second.
      expect(n).toEqual({ id: n.id, iid: String(p.iid), status: String(p.status).toUpperCase(), ref: p.ref, sha: p.sha, source: p.source, updatedAt: String(p.updated_at).slice(0, 19) + 'Z', createdAt: String(p.created_at).slice(0, 19) + 'Z' });
    }
  });

  it('Project.environments lists the environments the project\'s deployments name', async () => {
    const project = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&per_page=5`)).body[1] as Obj;
    const deployments = (await apiJson(gl, `/projects/${project.id}/deployments?per_page=100`)).body as Obj[];
    const r = await gql(gl, `query($p: ID!) { project(fullPath: $p) { environments(first: 10) { nodes { id name } } } }`, { p: project.path_with_namespace });
    const want = [...new Map(deployments.map((d) => [d.environment.id, d.environment.name])).entries()].sort((a, b) => a[0] - b[0]);
    expect(want.length).toBeGreaterThan(0);
    expect(r.body.data.project.environments.nodes).toEqual(want.map(([id, name]) => ({ id: `gid://gitlab/Environment/${id}`, name })));
  });

  it('Environment.tier is the REST environment\'s tier as GitLab\'s DeploymentTier enum (upper case)', async () => {
    const projects = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&per_page=5`)).body as Obj[];
    let compared = 0;
    for (const p of projects) {
      const rest = (await apiJson(gl, `/projects/${p.id}/environments?per_page=100`)).body as Obj[];
      const r = await gql(gl, `query($p: ID!) { project(fullPath: $p) { environments(first: 100) { nodes { id name tier } } } }`, { p: p.path_with_namespace });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.project.environments.nodes).toEqual(rest.map((e) => ({ id: `gid://gitlab/Environment/${e.id}`, name: e.name, tier: String(e.tier).toUpperCase() })));
      compared += rest.length;
    }
    expect(compared).toBeGreaterThan(1);
  });

  it('resolves Project.environments for one project a request, as GitLab does (FieldCallCount, limit 1)', async () => {
    const q = `query($g: ID!) { group(fullPath: $g) { projects(includeSubgroups: true, first: 3) { nodes { id environments(first: 1) { nodes { id } } } } } }`;
    const r = await gql(gl, q, { g: gl.group });
    expect(r.status).toBe(200);
    const nodes = r.body.data.group.projects.nodes as Obj[];
    expect(nodes).toHaveLength(3);
    expect(nodes[0]!.environments).not.toBeNull();
    expect(nodes.slice(1).map((n) => n.environments)).toEqual([null, null]);
    expect(r.body.errors).toEqual([1, 2].map((i) => ({
      message: '"environments" field can be requested only for 1 Project(s) at a time.',
      locations: [{ line: 1, column: 96 }],
      path: ['group', 'projects', 'nodes', i, 'environments'],
    })));
    // Two projects through aliases are two calls too; one project alone is answered.
    const [a, b] = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&per_page=2`)).body as Obj[];
    const env = (alias: string, path: string) => `${alias}: project(fullPath: "${path}") { environments(first: 1) { nodes { id } } }`;
    const two = await gql(gl, `{ ${env('a', a!.path_with_namespace)} ${env('b', b!.path_with_namespace)} }`);
    expect(two.body.data.a.environments).not.toBeNull();
    expect(two.body.data.b.environments).toBeNull();
    expect(two.body.errors).toMatchObject([{ message: '"environments" field can be requested only for 1 Project(s) at a time.', path: ['b', 'environments'] }]);
    expect((await gql(gl, `{ ${env('b', b!.path_with_namespace)} }`)).body.errors).toBeUndefined();
  });

  it('answers query errors with HTTP 200 and {errors} in graphql-ruby\'s words, without data', async () => {
    const cases: Array<[string, Obj | undefined, string]> = [
      [`{ group(fullPath: "${gl.group}") { nope } }`, undefined, "Field 'nope' doesn't exist on type 'Group'"],
      [`{ group(fullPath: "${gl.group}") { projects(bogus: 1) { count } } }`, undefined, "Field 'projects' doesn't accept argument 'bogus'"],
      ['{ group { id } }', undefined, "Field 'group' is missing required arguments: fullPath"],
      [`{ group(fullPath: "${gl.group}") }`, undefined, "Field must have selections (field 'group' returns Group but has no selections. Did you mean 'group { ... }'?)"],
      [`{ group(fullPath: "${gl.group}") { id { x } } }`, undefined, "Selections can't be made on scalars (field 'id' returns ID! but has selections [x])"],
      ['query($s: Time!) { project(fullPath: "a/b") { pipelines(updatedAfter: $s) { count } } }', { s: 'yesterday' }, 'Variable $s of type Time! was provided invalid value'],
      ['query { project(fullPath: $p) { id } }', undefined, 'Variable $p is used by anonymous query but not declared'],
      ['{ group(fullPath: "x") { id ', undefined, 'Parse error on end of file at [1, 29]'],
      ['mutation { x }', undefined, 'Schema is not configured for mutations'],
    ];
    for (const [query, variables, message] of cases) {
      const r = await gql(gl, query, variables);
      expect(r.status, query).toBe(200);
      expect(r.body.data, query).toBeUndefined();
      expect(r.body.errors.map((e: Obj) => e.message), query).toContain(message);
    }
    // An execution error (a bad cursor) nulls the field and names its path.
    const bad = await gql(gl, PROJECTS, { g: gl.group, after: 'not-a-cursor' });
    expect(bad.body).toMatchObject({ data: { group: { projects: null } }, errors: [{ message: 'Please provide a valid cursor', path: ['group', 'projects'] }] });
  });

  it('computes complexity as GitLab does and refuses more than 250 for a token', async () => {
    // projects(first: 100) { nodes { n fields } }: nodes = 1 + n; the resolver field adds 1 and
    // doubles (100 × 1%): 2n + 4; group (a resolver field) + 1 → 2n + 5.
    const q = (n: number) => `{ group(fullPath: "${gl.group}") { projects(includeSubgroups: true, first: 100) { nodes { ${Array.from({ length: n }, (_, i) => `f${i}: id`).join(' ')} } } } }`;
    expect((await gql(gl, q(122))).body.data.group.projects.nodes.length).toBe(100);
    expect((await gql(gl, q(123))).body).toEqual({ errors: [{ message: 'Query has complexity of 251, which exceeds max complexity of 250' }] });
    // A smaller page weighs less: 200 fields with first: 10 cost (201 + 1) × 1.1 + 1 = 223; with first: 100, 405.
    const fields = (first: number) => `{ group(fullPath: "${gl.group}") { projects(includeSubgroups: true, first: ${first}) { nodes { ${Array.from({ length: 200 }, (_, i) => `f${i}: id`).join(' ')} } } } }`;
    expect((await gql(gl, fields(10))).body.data.group.projects.nodes.length).toBe(10);
    expect((await gql(gl, fields(100))).body).toEqual({ errors: [{ message: 'Query has complexity of 405, which exceeds max complexity of 250' }] });
  });

  it('reports a query\'s complexity as GitLab does (queryComplexity): the sync\'s scan costs 19 of 250', async () => {
    // The field itself costs 3 (a plain field and its two children).
    const withScore = CHANGED_PIPELINES_QUERY.replace('group(fullPath: $group)', 'queryComplexity { score limit } group(fullPath: $group)');
    const r = await gql(gl, withScore, { group: gl.group, since: '2024-01-01T00:00:00Z', after: null });
    expect(r.body.data.queryComplexity).toEqual({ score: 19 + 3, limit: 250 });
    expect(r.body.data.group.projects.nodes.length).toBe(100);
  });

  it('refuses a token it does not know with 401; serves anonymous requests without private data', async () => {
    const wrong = await gql(gl, `{ group(fullPath: "${gl.group}") { id } }`, undefined, { 'private-token': 'glpat-not-a-real-token' });
    expect(wrong).toMatchObject({ status: 401, body: { errors: [{ message: 'Invalid token' }] } });
    const bearer = await gql(gl, `{ group(fullPath: "${gl.group}") { id } }`, undefined, { authorization: `Bearer ${gl.token}` });
    expect(bearer.body.data.group.id).toBe(`gid://gitlab/Group/${gl.groupId}`);
    const anonymous = await gql(gl, `{ group(fullPath: "${gl.group}") { id } }`, undefined, {});
    expect(anonymous).toMatchObject({ status: 200, body: { data: { group: null } } });
  });

  it('counts GraphQL requests against the authenticated API rate limit, with REST', async () => {
    const limited = await startLocalGitLab({ seed: 'small', rateLimit: { limit: 3, windowMs: 60_000 } });
    try {
      expect((await apiJson(limited, '/version')).status).toBe(200);
      expect((await gql(limited, `{ group(fullPath: "${limited.group}") { id } }`)).status).toBe(200);
      expect((await gql(limited, `{ group(fullPath: "${limited.group}") { id } }`)).status).toBe(200);
      const res = await fetch(`${limited.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'private-token': limited.token }, body: JSON.stringify({ query: `{ group(fullPath: "${limited.group}") { id } }` }) });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('a GitLab before Environment.tier (MR 97099, modelled as 15.4) refuses the field in graphql-ruby\'s words', async () => {
    const q = `{ project(fullPath: "a/b") { environments { nodes { id name tier } } } }`;
    const old = await startLocalGitLab({ seed: 'small', version: '15.3.0-ee' });
    try {
      const r = await gql(old, q);
      expect(r.body).toMatchObject({ errors: [{ message: "Field 'tier' doesn't exist on type 'Environment'", extensions: { code: 'undefinedField', typeName: 'Environment', fieldName: 'tier' } }] });
      expect(r.body.data).toBeUndefined();
    } finally {
      await old.close();
    }
    const newer = await startLocalGitLab({ seed: 'small', version: '15.4.0-ee' });
    try {
      expect((await gql(newer, q)).body.errors).toBeUndefined();
    } finally {
      await newer.close();
    }
  });

  it('an older GitLab (before the updatedAfter argument, MR 77396) refuses it as an unknown argument', async () => {
    const old = await startLocalGitLab({ seed: 'small', version: '14.6.0-ee' });
    try {
      const r = await gql(old, `{ project(fullPath: "a/b") { pipelines(updatedAfter: "2024-01-01T00:00:00Z") { count } } }`);
      expect(r.body.errors[0].message).toBe("Field 'pipelines' doesn't accept argument 'updatedAfter'");
    } finally {
      await old.close();
    }
  });
});
