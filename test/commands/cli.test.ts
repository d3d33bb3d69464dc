// The CLI as a user runs it: `npx port-gitlab <command>` through the package's bin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/bundle/paths.ts';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';
import { NATIVE_BUILD_STEPS } from '../../scripts/jq/native-runtime.ts';
import { copyBundle } from '../helpers/bundle-copy.ts';
import { NATIVE_JQ } from '../helpers/engines.ts';
import { PAYLOAD_DIR, payloadNames } from '../helpers/fixtures.ts';

const BIN = join(PACKAGE_ROOT, 'scripts/bin/port-gitlab.js');

function cliWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = (...args: string[]) => cliWith(process.env, ...args);

/** The environment of a machine where `npm ci` could not build Port's native jq engine. */
function withoutNativeJq(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${join(PACKAGE_ROOT, 'test/helpers/hide-native-jq.cjs')}` };
  delete env.PORT_GITLAB_JQ_ENGINE;
  return env;
}

describe('port-gitlab', () => {
  it('prints usage and exits 2 without a command', () => {
    const r = cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('usage: port-gitlab <command>');
  });

  it('rejects an unknown command with exit 2', () => {
    const r = cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('validate passes on the shipped bundle', { tags: [NATIVE_JQ] }, () => {
    const r = cli('validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 9 blueprints/);
  });

  it("validate passes on the shipped bundle where Port's native engine is not built, and says what it could not check", () => {
    const r = cliWith(withoutNativeJq(), 'validate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: 9 blueprints/);
    expect(r.stderr).toContain("not Port's engine (jq 1.6) — Port's native jq engine is not built on this machine");
    expect(r.stderr).toContain('syntax only newer jq accepts');
    expect(r.stderr).toContain(NATIVE_BUILD_STEPS);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('validate exits 1 naming file, path and fix on a broken fork', () => {
    const copy = copyBundle();
    try {
      copy.edit('template.json', (t) => t.replace(/"version": "[^"]+"/, '"version": "0.0.0-broken"'));
      const r = cli('validate', '--dir', copy.dir, '--json');
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.ok).toBe(false);
      expect(out.problems).toContainEqual(expect.objectContaining({ file: 'template.json', path: '/version', fix: expect.any(String) }));
    } finally {
      copy.remove();
    }
  });

  it('render --json prints the bodies the installer sends, valid for Port, secret masked', () => {
    const r = cli('render', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.blueprints).toHaveLength(9);
    for (const bp of out.blueprints) expect(checkRequestBody('create-a-blueprint', bp).ok).toBe(true);
    expect(checkRequestBody('create-a-webhook', out.webhook).errors).toEqual([]);
    expect(out.webhook.security.secret).toBe('********');
  });

  it('render without --json is a usage error', () => {
    expect(cli('render').code).toBe(2);
  });

  it('preview --json prints one line per file, in order', () => {
    const files = payloadNames().map((n) => join(PAYLOAD_DIR, `${n}.json`));
    const r = cli('preview', '--json', ...files);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.file)).toEqual(files);
    const mr = lines.find((l) => l.file.endsWith('merge_request.open.json'));
    expect(mr.actions).toContainEqual(expect.objectContaining({ action: 'upsert', blueprint: 'gitlabMergeRequest', entity: expect.objectContaining({ identifier: '99' }) }));
    for (const l of lines) for (const a of l.actions) expect(['upsert', 'delete']).toContain(a.action);
  });

  it('preview reports bad files as problems of those files and still previews the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'preview-'));
    const files = {
      invalid: join(dir, 'invalid.json'),
      empty: join(dir, 'empty.json'),
      foreign: join(dir, 'foreign.json'),
    };
    writeFileSync(files.invalid, '{"headers": {');
    writeFileSync(files.empty, '');
    writeFileSync(files.foreign, JSON.stringify({ headers: { 'content-type': 'application/json' }, body: { action: 'opened' } }));
    const good = join(PAYLOAD_DIR, 'issue.open.json');
    const r = cli('preview', '--json', files.invalid, good, files.empty, files.foreign, join(dir, 'missing.json'));
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0].problems[0].message).toMatch(/invalid JSON/);
    expect(lines[1].actions.length).toBeGreaterThan(0);
    expect(lines[2].problems[0].message).toMatch(/empty/);
    expect(lines[3].problems[0].message).toMatch(/X-Gitlab-Event/);
    expect(lines[3].actions).toEqual([]);
    expect(lines[4].problems[0].message).toMatch(/cannot read/);
  });

  it('preview prints a readable summary without --json', () => {
    const r = cli('preview', join(PAYLOAD_DIR, 'merge_request.open.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/upsert gitlabMergeRequest 99/);
  });
});
