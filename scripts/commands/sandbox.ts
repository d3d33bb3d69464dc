// `port-gitlab sandbox`: with no arguments, the end-to-end demo (local Port and GitLab, a full
// install, live GitLab changes, the resulting catalog); `serve` runs both servers until Ctrl-C.
import { CliError, EXIT } from '../cli/errors.ts';
import { processIO, type CommandIO } from '../install/io.ts';

const USAGE = `usage: port-gitlab sandbox [serve [--json] [--seed small|medium|large|FILE] [--port-port N] [--gitlab-port N]]

  (none)  start a local Port and GitLab, install the integration into them (blueprints, webhook,
          group hook, backfill), make a few live GitLab changes and print the resulting catalog;
          needs no credentials and leaves nothing running
  serve   start a local Port and a local GitLab on 127.0.0.1 and serve until Ctrl-C
          (run \`port-gitlab sandbox serve --help\` for its options)`;

export async function run(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'serve') {
    const { serve } = await import('../sandbox/serve.ts');
    return serve(rest, { stdout: { write: (t: string) => io.stdout(t) }, stderr: { write: (t: string) => io.stderr(t) } });
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (sub === undefined || sub.startsWith('--')) {
    const { runDemo } = await import('../sandbox/demo.ts');
    return runDemo(argv, io);
  }
  throw new CliError(`unknown sandbox command "${sub}".\n\n${USAGE}`);
}
