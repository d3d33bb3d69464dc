// `port-gitlab sandbox …`: `serve` runs the local Port and GitLab until interrupted.
// The full demo (`port-gitlab sandbox` with no arguments) belongs to the installer work.
import { CliError, EXIT } from '../cli/errors.ts';

const USAGE = `usage: port-gitlab sandbox serve [--json] [--seed small|medium|large|FILE] [--port-port N] [--gitlab-port N]

  serve   start a local Port and a local GitLab on 127.0.0.1 and serve until Ctrl-C
          (run \`port-gitlab sandbox serve --help\` for its options)`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'serve') {
    const { serve } = await import('../sandbox/serve.ts');
    return serve(rest);
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (sub === undefined) {
    throw new CliError(`the end-to-end demo (\`port-gitlab sandbox\` without arguments) is not available yet; run \`port-gitlab sandbox serve\` to start the local Port and GitLab and point the installer at them.\n\n${USAGE}`);
  }
  throw new CliError(`unknown sandbox command "${sub}".\n\n${USAGE}`);
}
