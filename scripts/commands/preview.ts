// `port-gitlab preview [--json] FILE…`: what Port would do with each saved GitLab request.
import { readFileSync } from 'node:fs';
import { bundleEntityChecker } from '../bundle/entity-checker.ts';
import { renderWebhookMappings } from '../bundle/render.ts';
import { loadBundleForCommand, optionsFromFlags } from '../cli/bundle-options.ts';
import { parseCommandArgs } from '../cli/args.ts';
import { CliError, EXIT } from '../cli/errors.ts';
import { processIO, type CommandIO } from '../install/io.ts';
import { createMappingEngine } from '../mapping/engine.ts';
import { parseRequestText } from '../mapping/request-file.ts';
import { ingestRefusals } from '../mapping/request-refusals.ts';
import type { EntityAction, MappingResult, Problem, WebhookRequest } from '../mapping/types.ts';

const HELP = `usage: port-gitlab preview [--json] [--confidential-issues] FILE…

Each FILE is a webhook request {"headers": {...}, "body": {...}, "queryParams"?: {...}} as GitLab
sends it (see test/fixtures/gitlab-payloads/); \`-\` reads one from standard input. Prints what Port
would do: the entities it would upsert or delete, and any problem (a failing jq expression, an
entity that does not fit its blueprint, a request that is not from GitLab, a request Port's ingest
refuses as given: a body over 512 KiB, or no X-Gitlab-Token header).

  --json                 one line per FILE: {"file", "actions": [...], "problems": [...]}
  --confidential-issues  evaluate as if INGEST_CONFIDENTIAL_ISSUES were on
Exit code 1 when a file has problems, 2 on bad usage.`;

interface FileResult {
  file: string;
  actions: Array<Pick<EntityAction, 'action' | 'blueprint' | 'entity'>>;
  problems: Problem[];
}

/** The sentence for a file that cannot be read (a directory, no permission, missing). */
export function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'cannot read the file: it is a directory; give a saved request file {"headers": {...}, "body": {...}}';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read the file: permission denied; make it readable (chmod +r) or copy it somewhere you can read';
  if (code === 'ENOENT') return 'cannot read the file: it does not exist; check the path';
  return `cannot read the file: ${(err as Error).message}`;
}

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

function human(r: FileResult): string {
  const lines = [`${r.file}:`];
  if (!r.actions.length) lines.push('  no action');
  for (const a of r.actions) {
    lines.push(`  ${a.action} ${a.blueprint} ${a.entity.identifier}${a.entity.title ? ` "${a.entity.title}"` : ''}`);
    for (const [k, v] of Object.entries(a.entity.properties ?? {})) lines.push(`      ${k}: ${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(a.entity.relations ?? {})) lines.push(`      → ${k}: ${JSON.stringify(v)}`);
  }
  for (const p of r.problems) lines.push(`  problem${p.field ? ` (${p.blueprint ?? ''} mapping ${p.mapping} ${p.field})` : ''}: ${p.message}`);
  return lines.join('\n');
}

export async function run(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, 'confidential-issues': { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }, HELP);
  if (values.help) {
    io.stdout(HELP + '\n');
    return EXIT.ok;
  }
  if (!positionals.length) throw new CliError('give at least one request FILE, e.g. `port-gitlab preview test/fixtures/gitlab-payloads/merge_request.open.json`.');
  // Schema-checked only: preview is how a fork finds what its mappings do wrong.
  const bundle = await loadBundleForCommand(values.dir, { checked: false });
  const tokenHeader = bundle.webhook.content.security.signatureHeaderName ?? undefined;
  const options = optionsFromFlags(bundle, values);
  const mappings = renderWebhookMappings(bundle, options);
  const engine = await createMappingEngine({ checkEntity: bundleEntityChecker(bundle) });

  const parsed = positionals.map((file) => {
    try {
      const parsed = parseRequestText(readInput(file));
      const refused = parsed.request ? ingestRefusals(parsed.request, tokenHeader) : [];
      // A request Port refuses writes nothing, whatever its mappings would have done.
      return refused.length ? { file, request: undefined, problems: [...parsed.problems, ...refused] } : { file, ...parsed };
    } catch (err) {
      return { file, request: undefined, problems: [unreadable(err)] };
    }
  });
  const requests = parsed.filter((p) => p.request).map((p) => p.request as WebhookRequest);
  const evaluated: MappingResult[] = engine.evaluateWebhookBatch(mappings, requests);
  let next = 0;
  const results: FileResult[] = parsed.map((p) => {
    const base = p.problems.map((message) => ({ message }));
    if (!p.request) return { file: p.file, actions: [], problems: base };
    const r = evaluated[next++]!;
    return { file: p.file, actions: r.actions.map(({ action, blueprint, entity }) => ({ action, blueprint, entity })), problems: [...base, ...r.problems] };
  });
  for (const r of results) io.stdout((values.json ? JSON.stringify(r) : human(r)) + '\n');
  return results.some((r) => r.problems.length) ? EXIT.failed : EXIT.ok;
}
