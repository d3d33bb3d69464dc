// hooks-repair.ts against the local GitLab: which hooks are ours (the lowest id at our URL, else our
// name), removing duplicates, and re-enabling a hook GitLab disabled — the pieces install, doctor
// and a sync share, each returning what it found and what it fixed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitLabClient } from '../../scripts/clients/gitlab/index.ts';
import { HOOK_NAME, inspectHooksAt, removeDuplicateHooks, splitOurHooks } from '../../scripts/install/hooks-repair.ts';
import type { HookTarget } from '../../scripts/install/hook-target.ts';
import { startLocalGitLab, type LocalGitLab } from '../../scripts/sandbox/gitlab/index.ts';

describe('hooks-repair', () => {
  let gl: LocalGitLab;
  let rx: Server;
  let url: string;
  let failing = false;
  let gitlab: GitLabClient;
  let target: HookTarget;
  beforeAll(async () => {
    gl = await startLocalGitLab({ seed: 'small', rateLimit: false });
    rx = createServer((req, res) => { req.resume(); res.writeHead(failing ? 503 : 202).end(); });
    await new Promise<void>((resolve) => rx.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/ingest/key`;
    gitlab = new GitLabClient({ host: gl.url, token: gl.token, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    target = { kind: 'group', id: gl.groupId, path: gl.group, group: gl.group };
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => { rx.closeAllConnections(); rx.close(() => resolve()); });
    await gl.close();
  });

  const add = async (body: Record<string, unknown>) => {
    const res = await fetch(`${gl.url}/api/v4/groups/${gl.groupId}/hooks`, { method: 'POST', headers: { 'private-token': gl.token, 'content-type': 'application/json' }, body: JSON.stringify({ push_events: true, issues_events: true, ...body }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const idsAt = () => gl.hooks().filter((h) => h.kind === 'group' && h.url === url).map((h) => h.id as number);

  test('splitOurHooks keeps the lowest id at the URL whatever the listing order; without one there, the hook with our name', () => {
    const h = (id: number, u: string, name?: string) => ({ id, url: u, name }) as never;
    expect(splitOurHooks([h(9, url), h(4, url), h(7, 'http://x/other'), h(6, url)], url)).toMatchObject({ hook: { id: 4 }, duplicates: [{ id: 6 }, { id: 9 }] });
    expect(splitOurHooks([h(3, 'http://x/old', HOOK_NAME), h(2, 'http://x/other')], url)).toMatchObject({ hook: { id: 3 }, duplicates: [] });
    expect(splitOurHooks([h(2, 'http://x/other')], url)).toEqual({ hook: undefined, duplicates: [] });
  });

  test('removeDuplicateHooks reads the hooks again, deletes all but the lowest id and leaves other hooks alone', async () => {
    const other = await add({ url: url.replace('/ingest/key', '/elsewhere') });
    const first = await add({ url, name: HOOK_NAME });
    const second = await add({ url });
    const third = await add({ url });
    const r = await removeDuplicateHooks(gitlab, target, url);
    expect(r).toMatchObject({ kept: first, removed: [second, third], failed: [] });
    expect(idsAt()).toEqual([first]);
    expect(gl.hooks().some((h) => h.id === other)).toBe(true);
    expect(await removeDuplicateHooks(gitlab, target, url)).toMatchObject({ kept: first, removed: [] });
  });

  test('inspectHooksAt reports duplicates without deleting them unless asked, and re-enables a disabled hook only with consent', async () => {
    const [kept] = idsAt();
    const extra = await add({ url });
    const project = ((await (await fetch(`${gl.url}/api/v4/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`, { headers: { 'private-token': gl.token } })).json()) as Array<{ id: number }>)[0].id;
    failing = true;
    for (let i = 0; i < 4; i++) await gl.openIssue(project, { title: `fails ${i}` }); // GitLab disables both after 4 failures
    failing = false;

    const report = await inspectHooksAt(gitlab, target, { url });
    expect(report).toMatchObject({ state: 'disabled', hook: { id: kept }, duplicates: [extra], removed: [], failures: [] });
    expect(idsAt()).toEqual([kept, extra]);

    const asked: string[] = [];
    const declined = await inspectHooksAt(gitlab, target, { url, reenable: async (what) => { asked.push(what); return false; } });
    expect(declined).toMatchObject({ state: 'disabled' });
    expect(declined.reenabled).toBeUndefined();
    expect(asked[0]).toContain(`hook ${kept} on "${gl.group}" is temporarily_disabled`);

    const repaired = await inspectHooksAt(gitlab, target, { url, dedupe: true, reenable: async () => true });
    expect(repaired).toMatchObject({ state: 'healthy', reenabled: true, duplicates: [extra], removed: [extra], failures: [] });
    expect(idsAt()).toEqual([kept]);
    expect(gl.hooks().find((h) => h.id === kept)?.alert_status).toBe('executable');
    // Another webhook URL (the webhook was recreated): ours by name, pointing at the old URL.
    expect(await inspectHooksAt(gitlab, target, { url: 'http://127.0.0.1:1/ingest/new' })).toMatchObject({ state: 'stale', hook: { id: kept }, duplicates: [] });
  });
});
