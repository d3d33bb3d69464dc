// Exit codes shared by every command (documented in the README).
export const EXIT = {
  ok: 0,
  failed: 1,
  badInput: 2,
} as const;

/** An error meant for the user: the message says what is wrong, where, and how to fix it. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.badInput) {
    super(message);
    this.name = 'CliError';
  }
}
