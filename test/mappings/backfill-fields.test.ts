// The backfill hands jq only the keys a file's `fields` declares. That must never change an
// entity: for every kind, GitLab's documented REST object (and its list variant) and a page of
// the sandbox's generated objects map to exactly the same result whole and slimmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillFields, renderBackfillMappings } from '../../scripts/bundle/render.ts';
import { slimmer } from '../../scripts/backfill/slim.ts';
import { startLocalGitLab, type LocalGitLab } from '../../scripts/sandbox/gitlab/index.ts';
import { backfillKinds, type BackfillKind } from '../../schemas/backfill-file.schema.ts';
import { harness, restObject, type Harness } from './helpers.ts';

const FIXTURES: Record<BackfillKind, string[]> = {
  groups: ['group'], projects: ['project'], mergeRequests: ['merge_request'], issues: ['issue'],
  pipelines: ['pipeline', 'pipeline.list'], jobs: ['job'], releases: ['release'], deployments: ['deployment'], members: ['member'],
};

let h: Harness;
let gitlab: LocalGitLab;
const generated = new Map<BackfillKind, unknown[]>();

beforeAll(async () => {
  h = await harness();
  gitlab = await startLocalGitLab({ seed: { preset: 'large', projects: 4 }, rateLimit: false });
  const get = async (path: string) => (await (await fetch(`${gitlab.url}/api/v4/${path}`, { headers: { 'PRIVATE-TOKEN': gitlab.token } })).json()) as Array<Record<string, unknown>>;
  const g = gitlab.groupId;
  const project = (await get(`groups/${g}/projects?include_subgroups=true&per_page=1`))[0]!;
  const p = project.id;
  generated.set('groups', await get(`groups/${g}/descendant_groups?per_page=20`));
  generated.set('projects', await get(`groups/${g}/projects?include_subgroups=true&per_page=20`));
  generated.set('mergeRequests', await get(`groups/${g}/merge_requests?state=all&per_page=40`));
  generated.set('issues', await get(`groups/${g}/issues?state=all&per_page=40`));
  generated.set('pipelines', await get(`projects/${p}/pipelines?per_page=40`));
  generated.set('jobs', await get(`projects/${p}/jobs?per_page=40`));
  generated.set('releases', await get(`projects/${p}/releases?per_page=40`));
  generated.set('deployments', await get(`projects/${p}/deployments?per_page=40`));
  generated.set('members', await get(`groups/${g}/members?per_page=40`));
});
afterAll(async () => {
  await gitlab?.close();
});

/** A different value of the same kind (a flipped boolean, a changed string, nested values changed). */
function perturbed(v: unknown): unknown {
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return `${v}x`;
  if (Array.isArray(v)) return v.length ? v.map(perturbed) : ['x'];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, perturbed(x)]));
  return 'x';
}

describe('backfill fields', () => {
  it('every backfill file declares the fields its mappings read', () => {
    for (const kind of backfillKinds) expect(backfillFields(h.bundle, kind).object, kind).toBeDefined();
  });

  it.each([...backfillKinds])('%s: slimmed objects map exactly as whole ones', (kind) => {
    const mappings = renderBackfillMappings(h.bundle, kind, { confidentialIssues: true });
    const fields = backfillFields(h.bundle, kind);
    const slimObject = slimmer(fields.object);
    const slimParent = slimmer(fields.parent);
    const parent = restObject(kind === 'groups' || kind === 'projects' || kind === 'mergeRequests' || kind === 'issues' || kind === 'members' ? 'group' : 'project');
    const objects = [...FIXTURES[kind].map(restObject), ...(generated.get(kind) ?? [])] as Array<Record<string, unknown>>;
    expect(objects.length).toBeGreaterThan(FIXTURES[kind].length); // the sandbox listed some too
    const gitlabInfo = { url: 'https://gitlab.example.com' };
    const whole = h.engine.evaluateBackfill(mappings, objects.map((object) => ({ object, parent, gitlab: gitlabInfo })));
    const slim = h.engine.evaluateBackfill(mappings, objects.map((object) => ({ object: slimObject(object), parent: slimParent(parent), gitlab: gitlabInfo })));
    expect(whole.flatMap((r) => r.actions).length).toBeGreaterThan(0);
    expect(slim).toEqual(whole);
    // A key the mappings read but \`fields\` omits shows up when its value changes: perturb each
    // key of the documented objects in turn; whole and slimmed must still agree.
    for (const base of FIXTURES[kind].map(restObject) as Array<Record<string, unknown>>) {
      const variants = Object.keys(base).map((k) => ({ ...base, [k]: perturbed(base[k]) }));
      const w = h.engine.evaluateBackfill(mappings, variants.map((object) => ({ object, parent, gitlab: gitlabInfo })));
      const s = h.engine.evaluateBackfill(mappings, variants.map((object) => ({ object: slimObject(object), parent: slimParent(parent), gitlab: gitlabInfo })));
      expect(s).toEqual(w);
    }
    // and slimming really drops something, or the declaration is pointless
    expect(JSON.stringify(objects.map(slimObject)).length).toBeLessThan(JSON.stringify(objects).length);
  });
});
