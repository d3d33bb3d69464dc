// The GitLab token's expiry: one rule (tokenExpiryCheck) for preflight and doctor, judged against
// the injected clock. The local GitLab's tokens never expire, so a loopback proxy gives the token
// an `expires_at` in GitLab's documented shape (personal_access_tokens/self, a date).
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { systemClock, type Clock } from '../../scripts/clients/shared/clock.ts';
import { createClients } from '../../scripts/install/clients.ts';
import { runDoctor } from '../../scripts/install/doctor.ts';
import { readInputs } from '../../scripts/install/inputs.ts';
import { SecretSet } from '../../scripts/install/io.ts';
import { runPreflight } from '../../scripts/install/preflight.ts';
import { runInstall } from '../../scripts/install/run.ts';
import { TOKEN_EXPIRY_WARN_DAYS, tokenExpiryCheck } from '../../scripts/install/token-expiry.ts';
import { FAST, startSandboxes, type Sandboxes } from './helpers.ts';

const DAY = 86_400_000;
const EXPIRES = '2031-01-10';
const at = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: systemClock.sleep });

describe('tokenExpiryCheck', () => {
  test('warns inside the window, says how long is left, and is silent outside it', () => {
    const expiry = Date.parse(EXPIRES);
    expect(tokenExpiryCheck(EXPIRES, { now: () => expiry - 3 * DAY - 3600_000 })).toMatchObject({ check: 'gitlab.expiry', status: 'warn', message: `the GitLab token expires in 3 days (expires_at ${EXPIRES})` });
    expect(tokenExpiryCheck(EXPIRES, { now: () => expiry - 1 * DAY - 1 })?.message).toContain('expires in 1 day ');
    expect(tokenExpiryCheck(EXPIRES, { now: () => expiry - 3600_000 })?.message).toContain('expires within a day');
    expect(tokenExpiryCheck(EXPIRES, { now: () => expiry + DAY })?.message).toContain('has expired');
    expect(tokenExpiryCheck(EXPIRES, { now: () => expiry - TOKEN_EXPIRY_WARN_DAYS * DAY + 1 })).toBeDefined();
    expect(tokenExpiryCheck(EXPIRES, { now: () => expiry - TOKEN_EXPIRY_WARN_DAYS * DAY })).toBeUndefined();
    expect(tokenExpiryCheck(null, { now: () => expiry })).toBeUndefined();
    expect(tokenExpiryCheck('not a date', { now: () => expiry })).toBeUndefined();
  });
});

describe('preflight and doctor judge the expiry by the injected clock', () => {
  let sb: Sandboxes;
  let proxy: Server;
  let inputs: NonNullable<ReturnType<typeof readInputs>['inputs']>;
  const bundle = loadBundle();

  beforeAll(async () => {
    sb = await startSandboxes();
    const upstream = new URL(sb.gitlab.url);
    proxy = createServer((req, res) => {
      const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (r) => {
        if (!(req.url ?? '').startsWith('/api/v4/personal_access_tokens/self') || r.statusCode !== 200) {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          return;
        }
        let body = '';
        r.setEncoding('utf8').on('data', (c) => { body += c; }).on('end', () => {
          const { 'content-length': _, ...headers } = r.headers;
          res.writeHead(200, headers).end(JSON.stringify({ ...JSON.parse(body), expires_at: EXPIRES }));
        });
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const env = { ...sb.env, GITLAB_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
    inputs = readInputs(bundle.template, {}, env).inputs!;
    // Installed, so that doctor's other checks pass and the expiry is the only warning.
    const { port, gitlab } = createClients(inputs, new SecretSet(), FAST);
    const installed = await runInstall({ bundle, port, gitlab, inputs, clock: at('2030-01-01') }, { skipBackfill: true });
    expect(installed.exitCode, JSON.stringify(installed.error)).toBe(0);
    expect(installed.preflight.checks.map((c) => c.check)).not.toContain('gitlab.expiry');
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => { proxy?.closeAllConnections(); proxy?.close(() => resolve()); });
    await sb?.close();
  });

  const clients = () => createClients(inputs, new SecretSet(), FAST);

  test('preflight: a warning three days before expires_at, none a month before', async () => {
    const { port, gitlab } = clients();
    const o = { hooks: true, projectHooks: false, webhookIdentifier: bundle.webhook.content.identifier };
    const soon = await runPreflight(port, gitlab, inputs, { ...o, clock: at('2031-01-07T00:00:00Z') });
    expect(soon.checks.find((c) => c.check === 'gitlab.expiry')).toMatchObject({ status: 'warn', message: `the GitLab token expires in 3 days (expires_at ${EXPIRES})` });
    expect(soon.ok).toBe(true);
    const early = await runPreflight(port, gitlab, inputs, { ...o, clock: at('2030-12-10T00:00:00Z') });
    expect(early.checks.find((c) => c.check === 'gitlab.expiry')).toBeUndefined();
  });

  test('doctor: the same warning by the same rule; the install stays healthy', async () => {
    const { port, gitlab } = clients();
    const soon = await runDoctor(port, gitlab, bundle, inputs, { clock: at('2031-01-07T00:00:00Z'), auditPolls: 20, auditPollMs: 50 });
    expect(soon.checks.find((c) => c.check === 'gitlab.expiry')).toMatchObject({ status: 'warn', message: `the GitLab token expires in 3 days (expires_at ${EXPIRES})` });
    expect(soon.checks.find((c) => c.check === 'gitlab.token')?.status).toBe('ok');
    expect(soon.ok, JSON.stringify(soon.checks)).toBe(true);
    const early = await runDoctor(port, gitlab, bundle, inputs, { clock: at('2030-12-10T00:00:00Z'), auditPolls: 20, auditPollMs: 50 });
    expect(early.checks.find((c) => c.check === 'gitlab.expiry')).toBeUndefined();
  });
});
