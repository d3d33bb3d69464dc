// Two installs into one Port organisation (two top-level groups of one GitLab): each writes as its
// own install id (`$datasource` = `port-gitlab-template/<version>/<installId>`), so a backfill of
// one reconciles its own entities and never deletes the other's.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { runDoctorCommand } from '../../scripts/commands/doctor.ts';
import { installIdOf } from '../../scripts/install/install-id.ts';
import { userAgent } from '../../scripts/clients/shared/user-agent.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import type { StoredEntity } from '../../scripts/sandbox/port/store.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes } from './helpers.ts';

const BLUEPRINTS = loadBundle().blueprints.map((b) => b.content.identifier);

describe('installIdOf', () => {
  test('the same install however its GitLab URL and groups are written', () => {
    const id = installIdOf('https://gitlab.example.com', [42, 7]);
    expect(id).toMatch(/^gl-[0-9a-f]{12}$/);
    expect(installIdOf('HTTPS://GitLab.Example.com:443/', [7, 42])).toBe(id);
    expect(installIdOf('https://gitlab.example.com/api/v4', [42, 7, 42])).toBe(id);
    // Usable in the User-Agent Port records as `$datasource` (userAgent throws otherwise).
    expect(userAgent(id)).toMatch(new RegExp(`/${id}$`));
  });

  test('another GitLab, another group, or one group more is another install', () => {
    const id = installIdOf('https://gitlab.example.com', [42]);
    expect(installIdOf('https://gitlab.com', [42])).not.toBe(id);
    expect(installIdOf('https://gitlab.example.com/gitlab', [42])).not.toBe(id);
    expect(installIdOf('https://gitlab.example.com', [43])).not.toBe(id);
    expect(installIdOf('https://gitlab.example.com', [42, 43])).not.toBe(id);
  });
});

describe('two installs of different groups into one Port', () => {
  let sb: Sandboxes;
  const PARTNERS = 'sandbox-org-partners';
  let partnersId: number;
  let envA: Record<string, string>;
  let envB: Record<string, string>;

  const snapshot = () => new Map(BLUEPRINTS.flatMap((bp) => sb.port.entities(bp).map((e) => [`${bp}/${e.identifier}`, e] as [string, StoredEntity])));

  beforeAll(async () => {
    sb = await startSandboxes();
    // The second top-level group: an admin makes the token's user its Owner, as for the first.
    const me = (await (await fetch(`${sb.gitlab.url}/api/v4/user`, { headers: { 'private-token': sb.gitlab.token } })).json()) as { id: number };
    await sb.gitlab.addMember(PARTNERS, { userId: me.id, accessLevel: 50 });
    partnersId = ((await (await fetch(`${sb.gitlab.url}/api/v4/groups/${PARTNERS}`, { headers: { 'private-token': sb.gitlab.token } })).json()) as { id: number }).id;
    envA = { ...sb.env, GITLAB_GROUPS: sb.gitlab.group };
    envB = { ...sb.env, GITLAB_GROUPS: PARTNERS };
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('each install writes as its own id, and neither backfill deletes the other install\'s entities', async () => {
    const a = captureIO(envA);
    const ra = await runInstallCommand(['--json'], { io: a.io, tuning: FAST });
    expect(ra.exitCode, a.err()).toBe(0);
    const idA = ra.summary!.installId!;
    expect(idA).toBe(installIdOf(sb.env.GITLAB_URL, [sb.gitlab.groupId]));
    expect(JSON.parse(a.out()).installId).toBe(idA);
    const afterA = snapshot();

    const b = captureIO(envB);
    const rb = await runInstallCommand(['--json'], { io: b.io, tuning: FAST });
    expect(rb.exitCode, b.err()).toBe(0);
    const idB = rb.summary!.installId!;
    expect(idB).toBe(installIdOf(sb.env.GITLAB_URL, [partnersId]));
    expect(idB).not.toBe(idA);

    // B wrote its own entities under its id, and its reconcile left every one of A's in place.
    const all = snapshot();
    const ofB = [...all].filter(([, e]) => e.datasource === userAgent(idB));
    expect(ofB.map(([k]) => k)).toContain(`gitlabGroup/${partnersId}`);
    expect(ofB.some(([k]) => k.startsWith('gitlabProject/'))).toBe(true);
    for (const [key, e] of afterA) {
      expect(all.has(key), key).toBe(true);
      expect(e.datasource).toBe(userAgent(idA));
    }

    // A project disappears from A's GitLab; A's backfill deletes it — and nothing of B's.
    const victim = [...afterA.keys()].find((k) => k.startsWith('gitlabProject/'))!.split('/')[1];
    await sb.gitlab.destroyProject(Number(victim));
    const c = captureIO(envA);
    const backfill = await runBackfillCommand(['--json'], { io: c.io, tuning: FAST });
    expect(backfill.exitCode, c.err()).toBe(0);
    expect(backfill.summary!.kinds.projects.deleted).toBe(1);
    const now = snapshot();
    expect(now.has(`gitlabProject/${victim}`)).toBe(false);
    for (const [key, e] of ofB) expect(now.get(key), key).toEqual(e);

    // Doctor names the install id the backfill writes as.
    const d = captureIO(envA);
    const doc = await runDoctorCommand(['--json'], { io: d.io, tuning: FAST, doctor: { auditPolls: 20, auditPollMs: 50 } });
    const check = doc.report!.checks.find((x) => x.check === 'install.id');
    expect(check?.message).toContain(userAgent(idA));
  });
});
