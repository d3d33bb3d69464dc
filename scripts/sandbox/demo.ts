// `port-gitlab sandbox` (no arguments): the README's first command. Starts a local Port and a
// local GitLab on loopback, runs the full install against them (hook + backfill), makes a few live
// GitLab changes (an MR opened and merged, a pipeline, an issue opened and closed, a release),
// waits for Port's ingest to settle, prints the resulting catalog, and shuts both servers down.
// No credentials, no network beyond 127.0.0.1.
import { parseArgs } from 'node:util';
import { loadBundle } from '../bundle/load.ts';
import { createClients } from '../install/clients.ts';
import { formatError } from '../install/errors.ts';
import { SecretSet, processIO, redactingIO, type CommandIO } from '../install/io.ts';
import { runInstall, type InstallSummary } from '../install/run.ts';
import { installText } from '../install/summary.ts';
import type { InstallInputs } from '../install/inputs.ts';
import { startLocalPort, type LocalPort, type StoredEntity } from './port/server.ts';
import { recentHistory, startLocalGitLab, type LocalGitLab, type SeedName } from './gitlab/index.ts';
import { DEFAULT_SINCE_DAYS } from '../backfill/window.ts';
import { demoLevels } from './demo-levels.ts';

/**
 * The generated history ends today and starts well inside the backfill's default window, so the
 * install's backfill finds every kind (the presets' fixed history is years old: no pipelines, no jobs).
 */
const HISTORY_DAYS = DEFAULT_SINCE_DAYS - 30;
const RELEASE_TAG = 'v1.0.0-demo';

const HELP = `usage: port-gitlab sandbox [--seed small|medium] [--json]

Runs the whole integration locally: a local Port and a local GitLab on 127.0.0.1, the full install
(blueprints, webhook, group hook, backfill), a few live GitLab changes delivered through the hook,
and the resulting catalog. Needs no credentials; stops both servers when done.

  --seed small|medium  size of the generated GitLab group (default small)
  --json               print the catalog summary as one JSON object`;

function describeEntity(e: StoredEntity): string {
  const rel = Object.entries(e.relations ?? {}).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)).map(([k, v]) => `${k} → ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  const props = ['state', 'status', 'ref', 'pathWithNamespace', 'tagName'].filter((k) => e.properties?.[k] !== undefined && e.properties[k] !== null).map((k) => `${k}: ${String(e.properties[k])}`);
  return `${e.identifier} "${e.title ?? ''}"${props.length ? ` (${props.join(', ')})` : ''}${rel.length ? `; ${rel.join('; ')}` : ''}`;
}

/** What the install's backfill wrote, per kind, and its window. */
function backfillWritten(b: InstallSummary['backfill']): { since?: string | null; written: Record<string, number> } | undefined {
  if (!b || 'skipped' in b) return undefined;
  return { since: b.since, written: Object.fromEntries(Object.entries(b.kinds).map(([kind, k]) => [kind, k.written])) };
}

export async function runDemo(argv: string[], rawIO: CommandIO = processIO()): Promise<number> {
  let values: { seed?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    rawIO.stderr(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    rawIO.stdout(HELP + '\n');
    return 0;
  }
  const seed = (values.seed ?? 'small') as SeedName;
  if (seed !== 'small' && seed !== 'medium') {
    rawIO.stderr(`--seed must be small or medium (the demo prints the catalog; "large" is for the benchmark)\n`);
    return 2;
  }
  const secrets = new SecretSet();
  const io = redactingIO(rawIO, secrets);
  const say = (line: string) => (values.json ? io.stderr : io.stdout)(line + '\n');
  let port: LocalPort | undefined;
  let gitlab: LocalGitLab | undefined;
  try {
    port = await startLocalPort({ rateLimit: false });
    gitlab = await startLocalGitLab({ seed: { preset: seed, ...recentHistory(Date.now(), HISTORY_DAYS) } });
    secrets.add(port.clientSecret, gitlab.token);
    say(`local Port   ${port.url}\nlocal GitLab ${gitlab.url} (group "${gitlab.group}", ${gitlab.tier}, GitLab ${gitlab.version})\n`);

    const bundle = loadBundle();
    const inputs: InstallInputs = {
      portClientId: port.clientId, portClientSecret: port.clientSecret, portApiUrl: port.url,
      gitlabUrl: gitlab.url, gitlabToken: gitlab.token, gitlabGroups: [{ kind: 'path', path: gitlab.group, raw: gitlab.group }], confidentialIssues: false,
    };
    const clients = createClients(inputs, secrets);
    say('1. install (preflight, blueprints, webhook, group hook, backfill)');
    const summary = await runInstall({ bundle, ...clients, inputs, onSecret: (s) => secrets.add(s), log: () => {} }, { yes: true });
    say(installText(summary).trimEnd());
    if (!summary.ok) return 1;

    say('\n2. live GitLab changes, delivered by the group hook to the Port webhook');
    let project: { id: number; path_with_namespace: string } | undefined;
    for await (const page of clients.gitlab.groupProjects(gitlab.groupId, { archived: false, simple: true }, { maxPages: 1 })) {
      project = (page as unknown as Array<{ id: number; path_with_namespace: string }>)[0];
      break;
    }
    if (!project) throw new Error('the local GitLab has no active project');
    const mr = (await gitlab.openMergeRequest(project.id, { title: 'Add the Port integration', labels: ['demo'] })).object as { id: number; iid: number };
    await gitlab.mergeMergeRequest(project.id, mr.iid);
    say(`   opened and merged merge request !${mr.iid} in ${project.path_with_namespace}`);
    const pipeline = (await gitlab.runPipeline(project.id, { status: 'success', jobs: 2 })).object as { id: number };
    say(`   ran pipeline ${pipeline.id} (2 jobs)`);
    const issue = (await gitlab.openIssue(project.id, { title: 'Document the Port catalog' })).object as { id: number; iid: number };
    await gitlab.closeIssue(project.id, issue.iid);
    say(`   opened and closed issue #${issue.iid}`);
    await gitlab.createRelease(project.id, { tagName: RELEASE_TAG, name: 'Demo release' });
    say(`   created release ${RELEASE_TAG}`);
    await port.idle();

    say('\n3. the catalog in Port');
    const counts: Record<string, number> = {};
    for (const b of bundle.blueprints) counts[b.content.identifier] = port.entities(b.content.identifier).length;
    for (const [bp, n] of Object.entries(counts)) say(`   ${bp.padEnd(20)} ${n}`);
    const show = (bp: string, id: string) => port!.entity(bp, id);
    const samples = [
      ['gitlabProject', String(project.id)], ['gitlabMergeRequest', String(mr.id)], ['gitlabPipeline', String(pipeline.id)],
      ['gitlabIssue', String(issue.id)],
    ] as const;
    say('\n   entities the live changes wrote:');
    const found: Record<string, StoredEntity | undefined> = {};
    for (const [bp, id] of samples) {
      const e = show(bp, id);
      found[bp] = e;
      say(`   ${bp}: ${e ? describeEntity(e) : `${id} — MISSING`}`);
    }
    const jobs = port.entities('gitlabJob').filter((j) => j.relations?.pipeline === String(pipeline.id));
    for (const j of jobs) say(`   gitlabJob: ${describeEntity(j)}`);
    // A release's identifier is derived from project and tag (README "Data model"): find it by both.
    found.gitlabRelease = port.entities('gitlabRelease').find((r) => r.properties?.tagName === RELEASE_TAG && r.relations?.project === String(project!.id));
    say(`   gitlabRelease: ${found.gitlabRelease ? describeEntity(found.gitlabRelease) : `${RELEASE_TAG} — MISSING`}`);

    say('\n4. scorecard levels and metrics, as Port answers them (README "Scorecards and dashboard")');
    const levels = await demoLevels(clients.port, bundle);
    for (const line of levels.lines) say(line);

    // The demo proves the live path: the merged MR, the pipeline with its jobs, the closed issue, the release.
    const live = found.gitlabMergeRequest?.properties?.state === 'merged' && Boolean(found.gitlabPipeline) && jobs.length === 2 && found.gitlabIssue?.properties?.state === 'closed' && Boolean(found.gitlabRelease);
    if (values.json) io.stdout(JSON.stringify({ ok: live, counts, install: { blueprints: summary.blueprints, webhook: summary.webhook, hooks: summary.hooks, backfill: backfillWritten(summary.backfill) }, levels: { levels: levels.levels, projects: levels.projects }, live: Object.fromEntries(Object.entries(found).map(([k, e]) => [k, e ? { identifier: e.identifier, title: e.title, properties: e.properties, relations: e.relations } : null])) }) + '\n');
    say(live ? '\n✓ the sandbox works end to end; servers stopped.' : '\n✗ some live changes did not reach Port (see MISSING above)');
    return live ? 0 : 1;
  } catch (err) {
    io.stderr(`sandbox demo failed: ${formatError(err)}\n`);
    return 1;
  } finally {
    await gitlab?.close();
    await port?.close();
  }
}
