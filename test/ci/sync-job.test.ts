// The component's job really works: its `script:` lines, taken from templates/sync.yml after GitLab's
// interpolation, run in bash as GitLab Runner runs them, in a scheduled pipeline's environment, against
// the local Port and GitLab, after `port-gitlab install`. They install the package, run
// `port-gitlab sync --json`, exit 0 and leave the summary where `artifacts:paths` says; a missing
// secret or a rejected token fails the job, and no secret reaches the log.
//
// The package: the registry cannot serve this unreleased checkout, so the test sets the component's
// `version` input to `file:<this checkout>` — the same install line, the spec a fork's .gitlab-ci.yml
// uses, and npm packs the checkout as it would publish it (package.json "files"), so a file missing
// from the package fails here. npm resolves the package's dependencies from `.port-gitlab/`, pre-filled
// with this checkout's production dependencies (as a warm runner cache would be), offline and with an
// empty npm cache: the test neither needs nor uses the network, and installing takes seconds.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/bundle/paths.ts';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { captureIO, FAST, startSandboxes, type Sandboxes } from '../install/helpers.ts';
import { loadCiFile, readRepoFile } from './gitlab-ci-config.ts';
import { runJob, scriptLines, type CiJob, type JobEnvironment } from './job-runner.ts';

const CHECKOUT = PACKAGE_ROOT.replace(/\/$/, '');
const JOB = 'port-gitlab-sync';
const ARTIFACT = 'port-gitlab-sync.json';

/** Copies this checkout's production dependencies (package-lock.json, not dev) into `<prefix>/node_modules`. */
function seedDependencies(prefix: string): void {
  const lock = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = path.slice('node_modules/'.length);
    if (!path.startsWith('node_modules/') || entry.dev || name.includes('node_modules/')) continue;
    const from = join(PACKAGE_ROOT, path);
    if (!existsSync(from)) continue; // other platforms' optional packages
    // Without Port's native jq engine, as the job's `npm install --ignore-scripts` leaves it (never built).
    const filter = (src: string) => !src.startsWith(join(PACKAGE_ROOT, 'node_modules/@port-labs/jq-node-bindings/build'));
    cpSync(from, join(prefix, path), { recursive: true, verbatimSymlinks: true, filter });
  }
  // Their bin links too: without them npm re-extracts those packages (from its cache).
  const bin = join(prefix, 'node_modules/.bin');
  mkdirSync(bin, { recursive: true });
  for (const name of readdirSync(join(PACKAGE_ROOT, 'node_modules/.bin'))) {
    const target = readlinkSync(join(PACKAGE_ROOT, 'node_modules/.bin', name));
    if (existsSync(join(bin, target))) symlinkSync(target, join(bin, name));
  }
}

describe('the sync job of templates/sync.yml, run as GitLab Runner runs it', () => {
  let sb: Sandboxes;
  let dir: string;
  let job: CiJob & { artifacts: { paths: string[]; when: string } };
  let env: JobEnvironment;

  beforeAll(async () => {
    // The job gets the token the README asks for: read_api, role Reporter. install used an Owner's, with api.
    sb = await startSandboxes({ gitlab: { extraTokens: [{ role: 'reporter', scopes: ['read_api'] }] } });
    const c = captureIO(sb.env);
    const installed = await runInstallCommand(['--json', '--skip-backfill'], { io: c.io, tuning: FAST });
    expect(installed.exitCode, c.err()).toBe(0);

    const { config } = loadCiFile(readRepoFile('templates/sync.yml'), {
      groups: sb.env.GITLAB_GROUPS,
      'port-api-url': sb.port.url, // a custom Port URL, as for a self-hosted or proxied Port (http: loopback only)
      version: `file:${CHECKOUT}`,
    });
    job = config[JOB] as typeof job;
    dir = mkdtempSync(join(tmpdir(), 'port-gitlab-ci-'));
    mkdirSync(join(dir, '.port-gitlab'));
    seedDependencies(join(dir, '.port-gitlab'));
    env = {
      base: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
        // npm may not reach a registry, and starts with an empty cache: all it needs is in .port-gitlab/.
        npm_config_offline: 'true', npm_config_cache: join(dir, '.npm-cache'), npm_config_update_notifier: 'false',
      },
      predefined: {
        CI: 'true', GITLAB_CI: 'true', CI_PIPELINE_SOURCE: 'schedule', CI_PROJECT_DIR: dir,
        CI_SERVER_URL: sb.env.GITLAB_URL, // the gitlab-url input's default: the instance running the pipeline
      },
      project: { PORT_CLIENT_ID: sb.env.PORT_CLIENT_ID, PORT_CLIENT_SECRET: sb.env.PORT_CLIENT_SECRET, GITLAB_TOKEN: sb.gitlab.extraTokens[0] },
    };
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('with a read_api Reporter token: installs the package, syncs the groups into Port, exits 0 and leaves the JSON summary as the artifact', async () => {
    expect(scriptLines(job).join('\n')).toContain('port-gitlab sync --json');
    const run = await runJob(job, dir, env);
    expect(run.exitCode, run.log).toBe(0);
    expect(job.artifacts.paths).toEqual([ARTIFACT]);
    const summary = JSON.parse(readFileSync(join(dir, ARTIFACT), 'utf8')) as { ok: boolean; hooks?: { status: string } };
    expect(summary.ok).toBe(true);
    expect(summary.hooks?.status).toBe('skipped'); // repair-hooks: false (default), which such a token needs
    // The sync read the group through the component's GITLAB_URL/GITLAB_GROUPS and wrote to Port.
    expect(sb.port.entities('gitlabGroup').map((e) => e.identifier)).toContain(String(sb.gitlab.groupId));
    expect(sb.port.entities('gitlabProject').length).toBeGreaterThan(0);
    for (const secret of Object.values(env.project)) expect(run.log).not.toContain(secret);
  }, 120_000);

  test('a missing secret fails the job before anything runs, naming the variable and the protected-branch rule', async () => {
    const { GITLAB_TOKEN: _dropped, ...project } = env.project;
    const run = await runJob(job, dir, { ...env, project });
    expect(run.exitCode).toBe(2);
    expect(run.log).toContain('the CI/CD variable GITLAB_TOKEN is not set');
    expect(run.log).toContain('protected');
    expect(run.log).not.toContain('npm');
  });

  test('a rejected token (expired, revoked) fails the job, so the pipeline fails; the summary path still exists; no secret in the log', async () => {
    rmSync(join(dir, ARTIFACT), { force: true });
    const revoked = 'glpat-revokedrevokedrevoked0';
    const run = await runJob(job, dir, { ...env, project: { ...env.project, GITLAB_TOKEN: revoked } });
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.log).toMatch(/GITLAB_TOKEN/); // the CLI names the input to fix
    expect(existsSync(join(dir, ARTIFACT))).toBe(true);
    for (const secret of [revoked, env.project.PORT_CLIENT_SECRET]) expect(run.log).not.toContain(secret);
  }, 120_000);
});
