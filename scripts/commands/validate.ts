// `port-gitlab validate`: every bundle file against schemas/ and Port's rules; exit 1 on any problem.
import { parseArgs } from 'node:util';
import { readBundle } from '../bundle/load.ts';
import { formatProblem } from '../bundle/problems.ts';
import { validateBundle } from '../bundle/validate.ts';
import { createMappingEngine } from '../mapping/engine.ts';
import { EXIT } from '../cli/errors.ts';

const HELP = `usage: port-gitlab validate [--json] [--dir DIR]

Checks template.json, blueprints/ and mappings/ against the JSON Schemas in schemas/ and Port's
rules: identifiers, relation targets, jq that compiles and that Port's jq 1.6 accepts, lowercase
quoted headers, \`| tostring\` (or \`| gitlab_id\`) on identifiers and relations, identifiers and
relations that an absent id turns into "null" (each is run on an empty payload), and the rendered
webhook against Port's published create-a-webhook schema. Exit code 1 when anything is wrong.

  --json     one JSON object {ok, problems: [{file, path, message, fix}]}
  --dir DIR  validate a fork's checkout instead of this package`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const { bundle, problems } = readBundle(values.dir);
  if (bundle) problems.push(...validateBundle(bundle, await createMappingEngine()));
  if (values.json) {
    process.stdout.write(JSON.stringify({ ok: problems.length === 0, problems }) + '\n');
  } else if (problems.length) {
    process.stderr.write(`${problems.length} problem(s):\n${problems.map((p) => '  ' + formatProblem(p)).join('\n')}\n`);
  } else {
    const b = bundle!;
    process.stdout.write(`ok: ${b.blueprints.length} blueprints, ${b.events.length} webhook event files (${b.events.reduce((n, e) => n + e.content.mappings.length, 0)} mappings), ${b.backfill.length} backfill kinds — version ${b.packageVersion}\n`);
  }
  return problems.length ? EXIT.failed : EXIT.ok;
}
