// `port-gitlab validate`: every bundle file against schemas/ and Port's rules; exit 1 on any problem.
import { checkBundle } from '../bundle/checked.ts';
import { formatProblem } from '../bundle/problems.ts';
import { NATIVE_BUILD_STEPS } from '../jq/native-runtime.ts';
import { checkBundleDir } from '../cli/bundle-options.ts';
import { parseCommandArgs } from '../cli/args.ts';
import { EXIT } from '../cli/errors.ts';
import { processIO, type CommandIO } from '../install/io.ts';

const HELP = `usage: port-gitlab validate [--json] [--dir DIR]

Checks template.json, blueprints/ and mappings/ against the JSON Schemas in schemas/ and Port's
rules: identifiers, relation targets, jq that compiles and that Port's jq 1.6 accepts, lowercase
quoted headers, \`| tostring\` (or \`| gitlab_id\`) on identifiers and relations, identifiers and
relations that an absent id turns into "null" (each is run on an empty payload), and the rendered
webhook against Port's published create-a-webhook schema. Exit code 1 when anything is wrong.
Where Port's native jq engine is not built, the jq is compiled by jq-wasm and a note on stderr says
what that leaves unchecked.

  --json     one JSON object {ok, problems: [{file, path, message, fix}]}
  --dir DIR  validate a fork's checkout instead of this package

Exit codes: 0 no problem; 1 problems (listed with file, path and fix); 2 bad usage (an unknown
flag, a --dir that is not a directory).`;

export async function run(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { json: { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }, HELP);
  if (values.help) {
    io.stdout(HELP + '\n');
    return EXIT.ok;
  }
  checkBundleDir(values.dir);
  const { bundle, problems, engineName } = await checkBundle(values.dir);
  if (bundle && engineName === 'jq-wasm') io.stderr(notCheckedOnPortEngine() + '\n');
  if (values.json) {
    io.stdout(JSON.stringify({ ok: problems.length === 0, problems }) + '\n');
  } else if (problems.length) {
    io.stderr(`${problems.length} problem(s):\n${problems.map((p) => '  ' + formatProblem(p)).join('\n')}\n`);
  } else {
    const b = bundle!;
    io.stdout(`ok: ${b.blueprints.length} blueprints, ${b.events.length} webhook event files (${b.events.reduce((n, e) => n + e.content.mappings.length, 0)} mappings), ${b.backfill.length} backfill kinds, ${b.scorecards.reduce((n, s) => n + s.content.scorecards.length, 0)} scorecards, ${b.pages.length} dashboard page(s) — version ${b.packageVersion}\n`);
  }
  return problems.length ? EXIT.failed : EXIT.ok;
}

/** What compiling on jq-wasm (jq 1.8) instead of Port's jq 1.6 leaves unchecked, and how to check it. */
export function notCheckedOnPortEngine(env: NodeJS.ProcessEnv = process.env): string {
  const why = env.PORT_GITLAB_JQ_ENGINE === 'jq-wasm' ? 'as PORT_GITLAB_JQ_ENGINE asks' : "Port's native jq engine is not built on this machine";
  return (
    `validate: the jq was compiled by jq-wasm (jq 1.8), not Port's engine (jq 1.6) — ${why}. Builtins jq 1.6 lacks are still ` +
    'caught by name, but syntax only newer jq accepts (`if … then … end` without `else`, `.a.[0]`) was not checked. ' +
    `To check it on Port's engine, build it with autotools: ${NATIVE_BUILD_STEPS}`
  );
}
