// `port-gitlab render --json`: the exact bodies the installer sends to Port, secret masked.
import { renderBlueprints, renderPages, renderScorecards, renderWebhook } from '../bundle/render.ts';
import { loadBundleForCommand, optionsFromFlags } from '../cli/bundle-options.ts';
import { parseCommandArgs } from '../cli/args.ts';
import { CliError, EXIT } from '../cli/errors.ts';
import { processIO, type CommandIO } from '../install/io.ts';

const HELP = `usage: port-gitlab render --json [--confidential-issues] [--dir DIR]

Prints {"blueprints": [...], "webhook": {...}, "scorecards": [{"blueprint", "scorecard"}...],
"pages": [...]}: the blueprint bodies (in creation order), the webhook body (secret masked), the
scorecards with the blueprint each is created on, and the dashboard pages — what the installer sends.

  --confidential-issues  render as if INGEST_CONFIDENTIAL_ISSUES were on
  --dir DIR              render a fork's checkout instead of this package

The bundle must pass every check of \`port-gitlab validate\`; otherwise render prints validate's
problems and exits 2.`;

export async function run(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { json: { type: 'boolean' }, 'confidential-issues': { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }, HELP);
  if (values.help) {
    io.stdout(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.json) throw new CliError('render only prints JSON: run `port-gitlab render --json`.');
  const bundle = await loadBundleForCommand(values.dir);
  const options = optionsFromFlags(bundle, values);
  io.stdout(JSON.stringify({ blueprints: renderBlueprints(bundle), webhook: renderWebhook(bundle, { options }), scorecards: renderScorecards(bundle), pages: renderPages(bundle) }) + '\n');
  return EXIT.ok;
}
