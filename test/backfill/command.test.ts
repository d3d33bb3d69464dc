// `port-gitlab backfill` end to end on the sandboxes: inputs from the environment, the summary
// table, --json, exit codes, bad flags, and no secret in any output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import type { CommandIO } from '../../scripts/install/io.ts';
import { startSandboxes, type Sandboxes } from './helpers.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes();
});
afterAll(async () => {
  await sb?.close();
});

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CommandIO = { env, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, prompt: async () => '' };
  return { value, out: () => out.join(''), err: () => err.join('') };
}

const env = () => ({
  PORT_CLIENT_ID: sb.port.clientId, PORT_CLIENT_SECRET: sb.port.clientSecret, PORT_API_URL: sb.port.url,
  GITLAB_URL: sb.gitlab.url, GITLAB_TOKEN: sb.gitlab.token, GITLAB_GROUPS: sb.gitlab.group,
});
const tuning = { gitlab: { rateLimits: { '**': 1_000_000 } } };

describe('port-gitlab backfill', () => {
  it('backfills the groups named in GITLAB_GROUPS and prints the per-kind summary; a re-run writes nothing', async () => {
    const first = io(env());
    const r = await runBackfillCommand(['--since-days', 'all'], { io: first.value, tuning });
    expect(r.exitCode).toBe(0);
    expect(first.out()).toMatch(/^backfill in [\d.]+ s, window: everything/m);
    expect(first.out()).toMatch(/^ {2}projects\s+6\s+6\s+0\s+0\s+0 {2}complete$/m);
    expect(first.out()).toMatch(/^backfill: ok$/m);
    expect(sb.port.entities('gitlabProject')).toHaveLength(6);

    const again = io(env());
    const r2 = await runBackfillCommand(['--json', '--since-days', 'all'], { io: again.value, tuning });
    expect(r2.exitCode).toBe(0);
    const summary = JSON.parse(again.out());
    expect(summary.ok).toBe(true);
    expect(Object.values(summary.kinds as Record<string, { written: number }>).every((k) => k.written === 0)).toBe(true);
    for (const text of [first.out(), first.err(), again.out(), again.err()]) {
      expect(text).not.toContain(sb.port.clientSecret);
      expect(text).not.toContain(sb.gitlab.token);
    }
  });

  it('--dry-run --kinds projects shows what reconcile would delete and deletes nothing', async () => {
    const victim = sb.port.entities('gitlabProject')[0]!.identifier;
    await sb.gitlab.destroyProject(Number(victim));
    const run = io(env());
    const r = await runBackfillCommand(['--dry-run', '--kinds', 'projects'], { io: run.value, tuning });
    expect(r.exitCode).toBe(0);
    expect(run.out()).toMatch(/dry run: Port validated the writes, nothing was written or deleted/);
    expect(run.out()).toContain(`would delete: ${victim}`);
    expect(sb.port.entity('gitlabProject', victim)).toBeDefined();
  });

  it('rejects bad flags with what to fix, before any request', async () => {
    const run = io(env());
    const r = await runBackfillCommand(['--kinds', 'projects,wikis', '--since-days=-3', '--delete-threshold', '2'], { io: run.value, tuning });
    expect(r.exitCode).toBe(2);
    expect(run.err()).toContain('--kinds projects,wikis: unknown kind(s) wikis');
    expect(run.err()).toContain('--since-days -3: give a number of days (>= 0) or "all"');
    expect(run.err()).toContain('--delete-threshold 2: give a share from 0 to 1');
  });

  it('exits 2 naming the inputs that are missing', async () => {
    const run = io({ GITLAB_URL: sb.gitlab.url });
    const r = await runBackfillCommand([], { io: run.value, tuning });
    expect(r.exitCode).toBe(2);
    expect(run.err()).toMatch(/PORT_CLIENT_ID \(or --port-client-id\): not set/);
    expect(run.err()).toMatch(/GITLAB_GROUPS \(or --gitlab-groups\): not set/);
  });

  it('exits 1 and lists the failures when Port refuses entities', async () => {
    const bp = (await sb.portClient.getBlueprint('gitlabIssue'))!;
    const state = bp.schema.properties.state!;
    await sb.portClient.patchBlueprint('gitlabIssue', { schema: { ...bp.schema, properties: { ...bp.schema.properties, state: { ...state, enum: ['opened'], enumColors: { opened: state.enumColors!.opened! } } } } });
    const closed = sb.port.entities('gitlabIssue').filter((e) => e.properties.state === 'closed');
    expect(closed.length).toBeGreaterThan(0);
    // The stored closed issues no longer fit the blueprint: make Port rewrite them by changing their title.
    for (const e of closed) await sb.portClient.upsertEntity('gitlabIssue', { identifier: e.identifier, title: 'stale title' });
    const run = io(env());
    const r = await runBackfillCommand(['--kinds', 'issues', '--since-days', 'all'], { io: run.value, tuning });
    expect(r.exitCode).toBe(1);
    // (Closed issues of the project destroyed above are gone from GitLab: reconcile deletes them instead.)
    const failed = r.summary!.kinds.issues!.failed;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThanOrEqual(closed.length);
    expect(run.err()).toContain(`issues: ${failed} failed`);
    expect(run.err()).toMatch(/Port refused it: 422/);
    expect(run.err()).toMatch(/^backfill: FAILED/m);
  });
});
