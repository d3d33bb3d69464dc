// The install's last step, the backfill, when Port stops answering: the circuit breaker stops it,
// the install says so (exit 1, what happened, that a re-run completes), what was installed stays,
// and a re-run once Port is back finishes the work.
import { afterEach, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { captureIO, FAST, startSandboxes, type Sandboxes } from './helpers.ts';

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

test('Port failing every request from the backfill on: install exits 1 saying the backfill stopped and why; the integration stays installed; a re-run completes', async () => {
  sb = await startSandboxes();
  const s = sb;
  const c = captureIO(s.env);
  const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST, onStep: (step) => { if (step === 'backfill') s.port.faults.configure({ errorRate: 1, errorStatus: 503 }); } });
  expect(r.exitCode).toBe(1);
  const out = JSON.parse(c.out()) as { ok: boolean; error: { step: string; message: string; fix: string }; backfill: { stopped?: { reason: string; written: number } }; hooks: unknown[] };
  expect(out.ok).toBe(false);
  expect(out.error.step).toBe('backfill');
  expect(out.error.message).toMatch(/^the backfill stopped: Port stopped answering at \S+: HTTP 503 internal_error: Injected fault: HTTP 503 \(after 3 attempts\); 0 entities written before; a re-run resumes where this one stopped \(unchanged entities are skipped\)$/);
  expect(out.error.fix).toMatch(/run the installer \(or `port-gitlab backfill`\) again/);
  expect(out.backfill.stopped!.written).toBe(0);
  // What the install put in place is kept: blueprints, webhook, group hook.
  expect(s.port.blueprint('gitlabProject')).toBeDefined();
  expect(s.port.webhooks()).toHaveLength(1);
  expect(s.gitlab.hooks()).toHaveLength(1);

  s.port.faults.clear();
  const again = captureIO(s.env);
  const r2 = await runInstallCommand([], { io: again.io, tuning: FAST });
  expect(r2.exitCode).toBe(0);
  expect(s.port.entities('gitlabProject').length).toBeGreaterThan(0);
}, 120_000);
