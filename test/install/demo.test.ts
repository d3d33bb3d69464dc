// The README's first command: `port-gitlab sandbox` runs the whole integration locally, prints the
// catalog and exits 0 with both servers stopped.
import { expect, test } from 'vitest';
import { runDemo } from '../../scripts/sandbox/demo.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { captureIO } from './helpers.ts';

test('the demo installs, delivers live changes, prints the catalog and stops the servers', async () => {
  const c = captureIO({});
  const code = await runDemo(['--json'], c.io);
  expect(code, c.err()).toBe(0);
  const json = JSON.parse(c.out());
  expect(json.ok).toBe(true);
  const blueprints = loadBundle().blueprints.map((b) => b.content.identifier);
  expect(Object.keys(json.counts)).toEqual(blueprints);
  expect(json.counts.gitlabProject).toBeGreaterThan(0);
  expect(json.counts.gitlabJob).toBeGreaterThanOrEqual(2);
  expect(json.install.hooks).toEqual([expect.objectContaining({ kind: 'group', action: 'created' })]);
  expect(json.live.gitlabMergeRequest.properties.state).toBe('merged');
  expect(json.live.gitlabIssue.properties.state).toBe('closed');
  expect(json.live.gitlabMergeRequest.relations.project).toBe(json.live.gitlabProject.identifier);

  // A newcomer sees every kind: the backfill finds each one inside its default 90-day window
  // (the small world's history ends today), and the live changes list the release they cut.
  for (const blueprint of blueprints) expect(json.counts[blueprint], blueprint).toBeGreaterThan(0);
  // More than the one pipeline and two jobs the live changes made.
  expect(json.counts.gitlabPipeline).toBeGreaterThan(1);
  expect(json.counts.gitlabJob).toBeGreaterThan(2);
  const written = json.install.backfill.written;
  expect(Object.keys(written).sort()).toEqual(loadBundle().backfill.map((b) => b.content.kind).sort());
  for (const [kind, n] of Object.entries(written)) expect(n, `backfill wrote no ${kind}`).toBeGreaterThan(0);
  expect(Date.now() - Date.parse(json.install.backfill.since)).toBeGreaterThanOrEqual(89 * 86_400_000);
  expect(json.live.gitlabRelease).toMatchObject({ properties: { tagName: 'v1.0.0-demo', name: 'Demo release' }, relations: { project: json.live.gitlabProject.identifier } });
  expect(c.err()).toMatch(/entities the live changes wrote:[\s\S]*gitlabRelease: \S+ "Demo release" \(tagName: v1\.0\.0-demo\); project → /);

  // Scorecard levels, as Port answers them: every active project of the seed is evaluated, and the
  // project the live changes touched (merged MR, successful pipeline) has passed Bronze.
  const health = json.levels.levels.gitlabProjectHealth as Record<string, number>;
  expect(Object.values(health).reduce((a, b) => a + b, 0)).toBe(json.counts.gitlabProject);
  expect(json.levels.projects.find((p: { identifier: string }) => p.identifier === json.live.gitlabProject.identifier)?.level).toMatch(/Silver|Gold/);
  expect(c.err()).toMatch(/4\. scorecard levels and metrics[\s\S]*Project health \(gitlabProject\): Basic \d+, Bronze \d+, Silver \d+, Gold \d+/);

  // Both servers are gone once the demo returns.
  const urls = [...c.err().matchAll(/local (?:Port|GitLab)\s+(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
  expect(urls).toHaveLength(2);
  for (const url of urls) await expect(fetch(url)).rejects.toThrow();
}, 60_000);

test('the demo rejects unknown arguments with exit 2', async () => {
  const c = captureIO({});
  expect(await runDemo(['--bogus'], c.io)).toBe(2);
  expect(c.err()).toContain('usage: port-gitlab sandbox');
});
