// Command dispatcher for `port-gitlab <command>`. Each command lives in scripts/commands/
// and is loaded lazily so that `port-gitlab validate` does not pay for the sandbox's imports.
import { CliError, EXIT } from './cli/errors.ts';
import { limitHeapGrowth } from './cli/heap.ts';
import { recordOutcome } from './cli/json-outcome.ts';
import { processIO, type CommandIO } from './install/io.ts';

type CommandModule = { run(argv: string[], io: CommandIO): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  validate: { summary: 'check every bundle file against schemas/ and Port\'s rules', load: () => import('./commands/validate.ts') },
  preview: { summary: 'show what Port would do with GitLab webhook requests (FILE…)', load: () => import('./commands/preview.ts') },
  render: { summary: 'print the blueprints and webhook bodies the installer sends to Port', load: () => import('./commands/render.ts') },
  install: { summary: 'install the integration: blueprints, Port webhook, GitLab hooks, backfill', load: () => import('./commands/install.ts') },
  uninstall: { summary: 'remove the GitLab hooks and the Port webhook (--purge: also entities and blueprints)', load: () => import('./commands/uninstall.ts') },
  backfill: { summary: 'bring existing GitLab objects into Port and delete what GitLab no longer has', load: () => import('./commands/backfill.ts') },
  sync: { summary: 'the scheduled catch-up: re-enable disabled hooks, sync what changed (or everything, when due)', load: () => import('./commands/sync.ts') },
  doctor: { summary: 'check an installed integration: credentials, webhook, hook health, token, entity counts', load: () => import('./commands/doctor.ts') },
  sandbox: { summary: 'run a local Port and GitLab (`sandbox serve`) or the full demo (`sandbox`)', load: () => import('./commands/sandbox.ts') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: port-gitlab <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`port-gitlab <command> --help\` for a command's options.`;
}

export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  limitHeapGrowth();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage() + '\n');
    return name ? EXIT.ok : EXIT.badInput;
  }
  const outcome = recordOutcome(rest, io);
  const command = COMMANDS[name];
  let code: number;
  if (!command) {
    outcome.io.stderr(`port-gitlab: unknown command "${name}".\n\n${usage()}\n`);
    code = EXIT.badInput;
  } else {
    try {
      const mod = await command.load();
      code = await mod.run(rest, outcome.io);
    } catch (err) {
      if (!(err instanceof CliError)) {
        // Still one JSON object for a script, then the stack for a person (exit code 1).
        outcome.io.stderr(`port-gitlab ${name}: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
        outcome.finish(EXIT.failed);
        throw err;
      }
      outcome.io.stderr(`port-gitlab ${name}: ${err.message}\n`);
      code = err.exitCode;
    }
  }
  outcome.finish(code);
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
