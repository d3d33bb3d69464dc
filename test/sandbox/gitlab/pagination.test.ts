// Pagination exactly as GitLab documents it: headers, Link, the 10,000-record count limit,
// keyset for jobs and the 50,000 maximum offset; plus generator determinism and bounded memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { GeneratedWorld } from '../../../scripts/sandbox/gitlab/world.ts';
import { recentHistory, resolveSeed } from '../../../scripts/sandbox/gitlab/seed-spec.ts';
import { apiJson, parseLink } from './helpers.ts';

describe('offset pagination', () => {
  let gl: LocalGitLab;
  beforeAll(async () => {
    // 60 projects x ~200 MRs = more than 10,000 group merge requests.
    gl = await startLocalGitLab({ seed: { projects: 60, sharedProjects: 0, mergeRequestsPerProject: 200, issuesPerProject: 2, archivedFraction: 0.1 } });
  });
  afterAll(() => gl.close());

  it('sends every header and all four Link relations under 10,000 records', async () => {
    const r = await apiJson(gl, `/groups/${gl.groupId}/issues?per_page=7&page=2`);
    const total = Number(r.headers.get('x-total'));
    expect(total).toBeGreaterThan(14);
    expect(r.headers.get('x-total-pages')).toBe(String(Math.ceil(total / 7)));
    expect(r.headers.get('x-page')).toBe('2');
    expect(r.headers.get('x-next-page')).toBe('3');
    expect(r.headers.get('x-prev-page')).toBe('1');
    const link = parseLink(r.headers.get('link'));
    expect(Object.keys(link).sort()).toEqual(['first', 'last', 'next', 'prev']);
    expect(new URL(link.last).searchParams.get('page')).toBe(String(Math.ceil(total / 7)));
    expect(new URL(link.next).searchParams.get('per_page')).toBe('7');
    // the last page has no next
    const last = await apiJson(gl, `/groups/${gl.groupId}/issues?per_page=7&page=${Math.ceil(total / 7)}`);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(parseLink(last.headers.get('link')).next).toBeUndefined();
  });

  it('omits x-total, x-total-pages and rel="last" above 10,000 records, and following Link reaches the end', async () => {
    const r = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?per_page=100&non_archived=false`);
    expect(gl.counts().mergeRequests).toBeGreaterThan(10_000);
    expect(r.headers.has('x-total')).toBe(false);
    expect(r.headers.has('x-total-pages')).toBe(false);
    const link = parseLink(r.headers.get('link'));
    expect(link.last).toBeUndefined();
    expect(link.next).toBeDefined();
    // walk the whole list through rel="next" (bounded loop) and count distinct ids
    const ids = new Set<number>(r.body.map((m: any) => m.id));
    let next: string | undefined = link.next;
    for (let i = 0; next && i < 500; i++) {
      const res: Response = await fetch(next, { headers: { 'PRIVATE-TOKEN': gl.token } });
      for (const m of (await res.json()) as { id: number }[]) ids.add(m.id);
      next = parseLink(res.headers.get('link')).next;
    }
    expect(next).toBeUndefined();
    expect(ids.size).toBe(gl.counts().mergeRequests);
  });

  it('hides merge requests of archived projects by default (non_archived=true)', async () => {
    const opened = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?state=opened&per_page=100`);
    const projects = await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&archived=true&per_page=100`);
    const archivedIds = new Set(projects.body.map((p: any) => p.id));
    expect(archivedIds.size).toBeGreaterThan(0);
    expect(opened.body.some((m: any) => archivedIds.has(m.project_id))).toBe(false);
    const openedAll = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?state=opened&per_page=100&non_archived=false`);
    expect(Number(openedAll.headers.get('x-total'))).toBeGreaterThan(Number(opened.headers.get('x-total')));
  });

  it('gitbeaker .all() collects a list without totals through x-next-page', async () => {
    const client = new Gitlab({ host: gl.url, token: gl.token });
    const opened = await client.MergeRequests.all({ groupId: gl.groupId, state: 'opened', perPage: 100 });
    const r = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?state=opened&per_page=1`);
    expect(opened.length).toBe(Number(r.headers.get('x-total')));
    expect(new Set(opened.map((m) => m.id)).size).toBe(opened.length);
  });
});

describe('jobs: keyset and the maximum offset', () => {
  let gl: LocalGitLab;
  let projectId: number;
  beforeAll(async () => {
    gl = await startLocalGitLab({ seed: { projects: 1, sharedProjects: 0, groupDepth: 0, pipelinesPerProject: 60, jobsPerPipeline: 3 }, maxOffset: 100 });
    projectId = (await apiJson(gl, `/groups/${gl.groupId}/projects`)).body[0].id;
  });
  afterAll(() => gl.close());

  it('pages jobs by keyset: newest first, next page only via Link, no totals, end without Link', async () => {
    const seen: number[] = [];
    let url: string | undefined = `${gl.url}/api/v4/projects/${projectId}/jobs?pagination=keyset&order_by=id&sort=desc&per_page=25`;
    let pages = 0;
    for (; url && pages < 100; pages++) {
      const res: Response = await fetch(url, { headers: { 'PRIVATE-TOKEN': gl.token } });
      expect(res.headers.has('x-total')).toBe(false);
      expect(res.headers.has('x-next-page')).toBe(false);
      seen.push(...((await res.json()) as { id: number }[]).map((j) => j.id));
      url = parseLink(res.headers.get('link')).next;
      if (url) expect(new URL(url).searchParams.get('id_before')).toBe(String(seen[seen.length - 1]));
    }
    const total = gl.counts().jobs;
    expect(seen.length).toBe(total);
    expect(pages).toBe(Math.ceil(total / 25));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it('refuses offsets beyond the limit with 405 and the keyset hint', async () => {
    const ok = await apiJson(gl, `/projects/${projectId}/jobs?per_page=50&page=2`);
    expect(ok.status).toBe(200);
    const r = await apiJson(gl, `/projects/${projectId}/jobs?per_page=50&page=3`);
    expect(r.status).toBe(405);
    expect(r.body.message).toMatch(/maximum allowed offset of 100.*keyset pagination/);
  });
});

describe('generator', () => {
  it('is deterministic: same seed, same objects; another seed, other objects', async () => {
    const a = new GeneratedWorld(resolveSeed('medium'));
    const b = new GeneratedWorld(resolveSeed('medium'));
    const c = new GeneratedWorld(resolveSeed({ preset: 'medium', seed: 7 }));
    for (const i of [0, 17, 999]) {
      expect(b.mergeRequest(i)).toEqual(a.mergeRequest(i));
      expect(b.job(i)).toEqual(a.job(i));
    }
    expect(c.mergeRequest(17)).not.toEqual(a.mergeRequest(17));
    const g1 = await startLocalGitLab({ seed: 'small' });
    const g2 = await startLocalGitLab({ seed: 'small' });
    try {
      const strip = (body: any[]) => JSON.stringify(body).replaceAll(g1.url, 'U').replaceAll(g2.url, 'U');
      const x = await apiJson(g1, `/groups/${g1.groupId}/merge_requests?per_page=100`);
      const y = await apiJson(g2, `/groups/${g2.groupId}/merge_requests?per_page=100`);
      expect(strip(x.body)).toBe(strip(y.body));
    } finally {
      await g1.close();
      await g2.close();
    }
  });

  it('has unicode titles, null fields and every MR state in medium', () => {
    const w = new GeneratedWorld(resolveSeed('medium'));
    const mrs = Array.from({ length: 500 }, (_, i) => w.mergeRequest(i));
    expect(new Set(mrs.map((m) => m.state))).toEqual(new Set(['opened', 'closed', 'merged', 'locked']));
    expect(mrs.some((m) => /[^\x00-\x7f]/.test(m.title))).toBe(true);
    expect(mrs.some((m) => m.description === null)).toBe(true);
    const issues = Array.from({ length: 500 }, (_, i) => w.issue(i));
    expect(issues.some((i) => i.confidential)).toBe(true);
    const groups = w.groups.map((g) => g.fullPath.split('/').length);
    expect(Math.max(...groups)).toBe(4);
  });

  it('a recent history (the demo\'s) puts every generated date in its span, the same all day; a bad span is refused', () => {
    const now = Date.parse('2026-12-02T17:23:00Z');
    const history = recentHistory(now, 60);
    expect(history).toEqual({ historyStart: Date.parse('2026-10-03T00:00:00Z'), historyEnd: Date.parse('2026-12-02T00:00:00Z') });
    expect(recentHistory(Date.parse('2026-12-02T23:59:59Z'), 60)).toEqual(history);
    const w = new GeneratedWorld(resolveSeed({ preset: 'small', ...history }));
    const c = w.counts();
    const inSpan = (t: number) => t >= history.historyStart && t <= history.historyEnd + 86_400_000;
    const dates = [
      ...Array.from({ length: c.mergeRequests }, (_, i) => w.mergeRequest(i)).flatMap((m) => [m.createdAt, m.updatedAt]),
      ...Array.from({ length: c.issues }, (_, i) => w.issue(i)).flatMap((x) => [x.createdAt, x.updatedAt]),
      ...Array.from({ length: c.pipelines }, (_, i) => w.pipeline(i)).flatMap((p) => [p.createdAt, p.updatedAt]),
      ...Array.from({ length: c.jobs }, (_, i) => w.job(i)).map((j) => j.createdAt),
      ...Array.from({ length: c.releases }, (_, i) => w.release(i)).map((r) => r.createdAt),
      ...Array.from({ length: c.deployments }, (_, i) => w.deployment(i)).map((d) => d.createdAt),
    ];
    expect(c.pipelines).toBeGreaterThan(0);
    expect(dates.filter((t) => !inSpan(t)).map((t) => new Date(t).toISOString())).toEqual([]);
    for (let p = 0; p < c.projects; p++) expect(w.project(p).lastActivityAt).toBeGreaterThanOrEqual(w.project(p).createdAt);
    // The presets keep their fixed history: a seed is the same world whenever it runs.
    expect(resolveSeed('small')).toMatchObject({ historyStart: Date.parse('2023-01-02T09:00:00Z'), historyEnd: Date.parse('2025-06-01T00:00:00Z') });
    expect(() => resolveSeed({ historyStart: history.historyEnd, historyEnd: history.historyEnd })).toThrow(/historyEnd must be at least a day after seed.historyStart/);
    expect(() => resolveSeed({ historyEnd: -1 })).toThrow(/seed.historyEnd must be a time in epoch milliseconds, got -1/);
  });

  it('large has >= 1,000 projects and >= 200,000 objects', () => {
    const c = new GeneratedWorld(resolveSeed('large')).counts();
    expect(c.projects).toBeGreaterThanOrEqual(1000);
    expect(c.total).toBeGreaterThanOrEqual(200_000);
  });

  it('serves a world of 100 million merge requests without materialising them', async () => {
    const before = process.memoryUsage().heapUsed;
    const gl = await startLocalGitLab({ seed: { projects: 2000, mergeRequestsPerProject: 50_000, archivedFraction: 0 }, rateLimit: false });
    try {
      const counts = gl.counts();
      expect(counts.mergeRequests).toBeGreaterThan(90_000_000);
      // Stored structure is proportional to projects, not objects.
      expect(gl.memoryStats().prefixEntries).toBeLessThan(counts.projects * 8);
      const first = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?non_archived=false&per_page=100`);
      expect(first.body).toHaveLength(100);
      expect(first.headers.has('x-total')).toBe(false);
      const deep = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?non_archived=false&per_page=100&page=900000`);
      expect(deep.body).toHaveLength(100);
      expect(deep.body[0].id).toBeLessThan(first.body[0].id);
      expect(gl.memoryStats().filterCacheEntries).toBe(0);
      // 100 million objects would need tens of gigabytes; the heap grows by far less.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(300 * 1024 * 1024);
    } finally {
      await gl.close();
    }
  });
});
