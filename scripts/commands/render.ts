// `port-gitlab render --json`: the exact bodies the installer sends to Port, secret masked.
import { parseArgs } from 'node:util';
import { loadBundle } from '../bundle/load.ts';
import { defaultOptions, renderBlueprints, renderWebhook } from '../bundle/render.ts';
import { CliError, EXIT } from '../cli/errors.ts';
import { BundleError } from '../bundle/problems.ts';

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
  let bundle;
  try {
    bundle = loadBundle(values.dir);
  } catch (err) {
    if (err instanceof BundleError) throw new CliError(err.message, EXIT.failed);
    throw err;
  }
  const options = { ...defaultOptions(bundle), ...(values['confidential-issues'] ? { confidentialIssues: true } : {}) };
  process.stdout.write(JSON.stringify({ blueprints: renderBlueprints(bundle), webhook: renderWebhook(bundle, { options }) }) + '\n');
  return EXIT.ok;
}
