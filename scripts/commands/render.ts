// `port-gitlab render --json`: the exact bodies the installer sends to Port, secret masked.
import { parseArgs } from 'node:util';
import { renderBlueprints, renderWebhook } from '../bundle/render.ts';
import { loadBundleForCommand, optionsFromFlags } from '../cli/bundle-options.ts';
import { CliError, EXIT } from '../cli/errors.ts';

const HELP = `usage: port-gitlab render --json [--confidential-issues] [--dir DIR]

Prints {"blueprints": [...], "webhook": {...}}: the blueprint bodies (in creation order) and the
webhook body the installer sends to Port, with the webhook secret masked.

  --confidential-issues  render as if INGEST_CONFIDENTIAL_ISSUES were on
  --dir DIR              render a fork's checkout instead of this package`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, 'confidential-issues': { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.json) throw new CliError('render only prints JSON: run `port-gitlab render --json`.');
  const bundle = loadBundleForCommand(values.dir);
  const options = optionsFromFlags(bundle, values);
  process.stdout.write(JSON.stringify({ blueprints: renderBlueprints(bundle), webhook: renderWebhook(bundle, { options }) }) + '\n');
  return EXIT.ok;
}
