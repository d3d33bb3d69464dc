// A server (or a proxy in front of it) that echoes the request body in its error must not make
// the client carry the webhook secret or the hook token in its error.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GitLabClient } from '../../scripts/clients/gitlab/index.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { FakeClock, sendJson, startServer, type ScriptedServer } from './helpers.ts';

const SECRET = 'whsec-0123456789abcdef-echoed';
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function everyRendering(err: unknown): string {
  return [String(err), (err as Error).stack, JSON.stringify(err), inspect(err, { depth: 5 })].join('\n');
}

describe('secrets sent in request bodies', () => {
  it('are redacted from Port errors that echo the body', async () => {
    server = await startServer((req, res) => {
      if (req.path === '/v1/auth/access_token') return sendJson(res, 200, { ok: true, accessToken: 'port-access-token-value', expiresIn: 3600, tokenType: 'Bearer' });
      return sendJson(res, 422, { ok: false, error: 'invalid_request', message: `cannot accept ${req.body}`, details: { body: req.json } });
    });
    const port = new PortClient({ clientId: 'id', clientSecret: 'client-secret-value', baseUrl: server.url, clock: new FakeClock(), validateRequests: false });
    const err = await port.createWebhook({ identifier: 'w', title: 'w', enabled: true, security: { secret: SECRET, signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain' } }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(server.requests.some((r) => r.body.includes(SECRET))).toBe(true); // the server did receive it
    expect(everyRendering(err)).not.toContain(SECRET);
  });

  it('are redacted from GitLab errors that echo the body', async () => {
    server = await startServer((req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`bad request: ${req.body}`);
    });
    const gitlab = new GitLabClient({ host: server.url, token: 'glpat-user-token-value', clock: new FakeClock() });
    const err = await gitlab.createGroupHook(1, { url: 'https://ingest.example/abc', token: SECRET, events: { push_events: true } }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(server.requests.some((r) => r.body.includes(SECRET))).toBe(true);
    expect(everyRendering(err)).not.toContain(SECRET);
  });
});
