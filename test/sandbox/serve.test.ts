// `port-gitlab sandbox serve --json` end to end: spawn the CLI, read the line, use both servers,
// interrupt it, expect a clean exit.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Gitlab } from '@gitbeaker/rest';

function startServe(args: string[]) {
  const child = spawn(process.execPath, ['scripts/bin/port-gitlab.js', 'sandbox', 'serve', ...args], { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', () => reject(new Error(`serve exited before printing: ${stderr}`)));
  });
  firstLine.catch(() => { /* surfaced by the test that awaits it */ });
  return { child, firstLine, exited, stderr: () => stderr };
}

describe('port-gitlab sandbox serve', () => {
  it('prints both servers as one JSON line, serves them, and exits 0 on SIGINT', async () => {
    const s = startServe(['--json']);
    try {
      const info = JSON.parse(await s.firstLine);
      expect(Object.keys(info).sort()).toEqual(['gitlab', 'port']);
      expect(info.port.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.gitlab.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // GitLab: the printed token works through the installer's client.
      const gl = new Gitlab({ host: info.gitlab.url, token: info.gitlab.token });
      expect((await gl.Groups.show(info.gitlab.group)).full_path).toBe(info.gitlab.group);
      // Port: the printed client credentials get an access token.
      const res = await fetch(`${info.port.url}/v1/auth/access_token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: info.port.clientId, clientSecret: info.port.clientSecret }),
      });
      expect(res.status).toBe(200);
      expect(typeof (await res.json()).accessToken).toBe('string');
    } finally {
      s.child.kill('SIGINT');
    }
    expect(await s.exited).toBe(0);
  });

  it('rejects a bad --seed with an actionable message and exit code 2', async () => {
    const s = startServe(['--seed', '/nonexistent/seed.json']);
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toMatch(/--seed "\/nonexistent\/seed.json" is not small, medium or large/);
  });
});
