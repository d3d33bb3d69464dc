// What every installer command does first: parse flags, read and check the inputs (exit 2 with
// every problem before any request), load the bundle, build the clients, set up redaction.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Bundle } from '../bundle/load.ts';
import { loadBundleForCommand } from '../cli/bundle-options.ts';
import { CliError, EXIT } from '../cli/errors.ts';
import { conflictProblems, type FlagConflict } from '../cli/flags.ts';
import { createClients, type ClientTuning, type Clients } from './clients.ts';
import { ALL_INPUTS, SECRET_INPUT_FLAGS, formatInputProblems, inputParseOptions, inputSecrets, readInputs, type InputNeeds, type InstallInputs } from './inputs.ts';
import { SecretSet, redactingIO, type CommandIO } from './io.ts';

export interface CommandContext extends Clients {
  bundle: Bundle;
  inputs: InstallInputs;
  io: CommandIO;
  secrets: SecretSet;
  values: Record<string, string | boolean | undefined>;
}

export interface CommandSetup {
  argv: string[];
  io: CommandIO;
  /** The command's own flags (the flags of the inputs in `need` are added). */
  options: NonNullable<ParseArgsConfig['options']>;
  /** The inputs the command reads, and what for (default: every input). */
  need?: InputNeeds;
  help: string;
  tuning?: ClientTuning;
  /** Flags that cannot be given together (refused with exit 2). */
  conflicts?: readonly FlagConflict[];
  /**
   * Whether the bundle must pass every check of `validate` (default true): a command that sends
   * the bundle's blueprints or mappings must not act on a broken one. uninstall and doctor only
   * need its identifiers, and must still work on what a broken fork installed.
   */
  checkBundle?: boolean;
  /** The bundle's checkout (default: this package); tests point it at a broken fork. */
  bundleDir?: string;
}

/**
 * Parses and checks; returns the context, or an exit code after printing why (help, bad usage,
 * conflicting flags, bad inputs). A bundle that fails `validate` throws a CliError (exit 2).
 * Nothing here sends a request.
 */
export async function prepareCommand(setup: CommandSetup): Promise<CommandContext | number> {
  const secrets = new SecretSet();
  const raw = setup.io;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: setup.argv, options: { ...inputParseOptions(setup.need ?? ALL_INPUTS), ...setup.options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (err) {
    // parseArgs may echo a flag's value; never a secret.
    secrets.add(...inputSecrets(raw.env, {}));
    for (let i = 0; i < setup.argv.length; i++) if (SECRET_INPUT_FLAGS.some((f) => setup.argv[i] === `--${f}`)) secrets.add(setup.argv[i + 1]);
    redactingIO(raw, secrets).stderr(`${(err as Error).message}\n\n${setup.help}\n`);
    return EXIT.badInput;
  }
  secrets.add(...inputSecrets(raw.env, values));
  const io = redactingIO(raw, secrets);
  if (values.help) {
    io.stdout(setup.help + '\n');
    return EXIT.ok;
  }
  if (positionals.length) {
    io.stderr(`unexpected argument(s): ${positionals.join(' ')}\n\n${setup.help}\n`);
    return EXIT.badInput;
  }
  const conflicts = conflictProblems(values, setup.conflicts ?? []);
  if (conflicts.length) {
    io.stderr(`${conflicts.join('\n')}\n`);
    return EXIT.badInput;
  }
  let bundle: Bundle;
  try {
    bundle = await loadBundleForCommand(setup.bundleDir, { checked: setup.checkBundle ?? true });
  } catch (err) {
    if (err instanceof CliError) throw new CliError(`${err.message}\nNothing was sent to Port or GitLab.`, err.exitCode);
    throw err;
  }
  const { inputs, problems } = readInputs(bundle.template, values, raw.env, setup.need);
  if (!inputs) {
    io.stderr(formatInputProblems(problems) + '\n');
    return EXIT.badInput;
  }
  const clients = createClients(inputs, secrets, setup.tuning);
  return { ...clients, bundle, inputs, io, secrets, values };
}
