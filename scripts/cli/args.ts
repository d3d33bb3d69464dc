// parseArgs for the commands that need no inputs (validate, render, preview): an unknown flag or
// a missing value is bad usage (exit 2, with the command's help), not a crash.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.ts';

export function parseCommandArgs<T extends ParseArgsConfig>(config: T, help: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${help}`);
  }
}
