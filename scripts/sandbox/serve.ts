/**
 * `port-gitlab sandbox serve`: starts the local Port and the local GitLab on loopback, prints
 * how to reach them (one JSON line with --json — the one place the sandbox's throwaway local
 * credentials are printed, on purpose) and serves until SIGINT/SIGTERM, then shuts down cleanly.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, EXIT } from '../cli/errors.ts';
import { startLocalGitLab, type LocalGitLab } from './gitlab/index.ts';
import { resolveSeed, type SeedName, type SeedSpec } from './gitlab/seed-spec.ts';
import { startLocalPort, type LocalPort } from './port/server.ts';

export const SERVE_USAGE = `usage: port-gitlab sandbox serve [--json] [--seed small|medium|large|FILE] [--port-port N] [--gitlab-port N]

Starts a local Port and a local GitLab on 127.0.0.1 and serves until Ctrl-C.
  --json           print one line {"port": {...}, "gitlab": {...}} instead of the human summary
  --seed           size of the generated GitLab data: small (default), medium, large, or a JSON
                   file with a seed spec (e.g. {"preset": "medium", "projects": 300})
  --port-port N    TCP port of the local Port (default: a free one)
  --gitlab-port N  TCP port of the local GitLab (default: a free one)`;

export type Sandbox = { port: LocalPort; gitlab: LocalGitLab; close(): Promise<void> };

/** Starts both servers; closes the first if the second fails. */
export async function startSandbox(o: { seed?: SeedName | Partial<SeedSpec>; portPort?: number; gitlabPort?: number } = {}): Promise<Sandbox> {
  const port = await startLocalPort({ port: o.portPort ?? 0 });
  let gitlab: LocalGitLab;
  try {
    gitlab = await startLocalGitLab({ port: o.gitlabPort ?? 0, seed: o.seed ?? 'small' });
  } catch (err) {
    await port.close();
    throw err;
  }
  return { port, gitlab, close: async () => { await Promise.all([gitlab.close(), port.close()]); } };
}

function portNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new CliError(`${flag} must be a TCP port number from 0 to 65535, got "${raw}"`);
  return n;
}

export function seedFromArg(raw: string | undefined): SeedName | Partial<SeedSpec> {
  if (raw === undefined) return 'small';
  if (raw === 'small' || raw === 'medium' || raw === 'large') return raw;
  let text: string;
  try {
    text = readFileSync(raw, 'utf8');
  } catch (err) {
    throw new CliError(`--seed "${raw}" is not small, medium or large, and the file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a preset name or a JSON seed file`);
  }
  let spec: unknown;
  try { spec = JSON.parse(text); } catch (err) {
    throw new CliError(`--seed file ${raw} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new CliError(`--seed file ${raw} must hold a JSON object such as {"preset": "medium", "projects": 300}`);
  try {
    resolveSeed(spec as Partial<SeedSpec>);
  } catch (err) {
    throw new CliError(`--seed file ${raw}: ${(err as Error).message}`);
  }
  return spec as Partial<SeedSpec>;
}

function humanSummary(s: Sandbox): string {
  const c = s.gitlab.counts();
  return [
    'Local sandbox running (loopback only; credentials below are throwaway local values).',
    '',
    `  Port    ${s.port.url}   client id ${s.port.clientId}   client secret ${s.port.clientSecret}`,
    `  GitLab  ${s.gitlab.url}   REST ${s.gitlab.url}/api/v4   token ${s.gitlab.token}   group ${s.gitlab.group}`,
    `          ${c.groups} groups, ${c.projects} projects, ${c.mergeRequests} merge requests, ${c.issues} issues, ${c.pipelines} pipelines, ${c.jobs} jobs`,
    '',
    'Point the installer at it:',
    `  export PORT_API_URL=${s.port.url}`,
    `  export PORT_CLIENT_ID=${s.port.clientId}`,
    `  export PORT_CLIENT_SECRET=${s.port.clientSecret}`,
    `  export GITLAB_URL=${s.gitlab.url}`,
    `  export GITLAB_TOKEN=${s.gitlab.token}`,
    `  export GITLAB_GROUPS=${s.gitlab.group}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** Runs `sandbox serve`; resolves with the exit code after a signal-triggered shutdown. */
export async function serve(argv: string[], io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } } = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: false, strict: true,
      options: { json: { type: 'boolean' }, seed: { type: 'string' }, 'port-port': { type: 'string' }, 'gitlab-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${SERVE_USAGE}`);
  }
  const v = parsed.values;
  if (v.help) { io.stdout.write(`${SERVE_USAGE}\n`); return EXIT.ok; }
  const seed = seedFromArg(v.seed);
  const portPort = portNumber('--port-port', v['port-port']);
  const gitlabPort = portNumber('--gitlab-port', v['gitlab-port']);
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ seed, portPort, gitlabPort });
  } catch (err) {
    throw new CliError(`could not start the sandbox: ${(err as Error).message}`, EXIT.failed);
  }
  if (v.json) {
    io.stdout.write(`${JSON.stringify({
      port: { url: sandbox.port.url, clientId: sandbox.port.clientId, clientSecret: sandbox.port.clientSecret },
      gitlab: { url: sandbox.gitlab.url, token: sandbox.gitlab.token, group: sandbox.gitlab.group },
    })}\n`);
  } else {
    io.stdout.write(humanSummary(sandbox));
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  if (!v.json) io.stderr.write(`\n${signal}: stopping the sandbox…\n`);
  await sandbox.close();
  return EXIT.ok;
}
