// What a command talks to: environment, output streams, the terminal. Every line written goes
// through a redactor that knows every secret of the run (inputs, the webhook secret, Port access
// tokens), so no code path — including errors from axios or gitbeaker — can print one.
import { createInterface } from 'node:readline/promises';
import { redact } from '../clients/shared/redact.ts';

export interface CommandIO {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether a person is at the terminal (prompts are only shown then). */
  isTTY: boolean;
  /** Asks a question and returns the answer (only called when isTTY). */
  prompt(question: string): Promise<string>;
}

export function processIO(): CommandIO {
  return {
    env: process.env,
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

/** Secrets known so far; sources are read at write time (tokens appear during the run). */
export class SecretSet {
  private readonly values = new Set<string>();
  private readonly sources: Array<() => Iterable<string>> = [];

  add(...secrets: Array<string | undefined | null>): void {
    for (const s of secrets) if (s && s.trim()) this.values.add(s.trim());
  }

  addSource(source: () => Iterable<string>): void {
    this.sources.push(source);
  }

  all(): string[] {
    const out = new Set(this.values);
    for (const src of this.sources) for (const s of src()) if (s) out.add(s);
    // Longest first, so a secret containing another is replaced whole.
    return [...out].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    return redact(text, this.all());
  }
}

/** The same IO with every write redacted. */
export function redactingIO(io: CommandIO, secrets: SecretSet): CommandIO {
  return {
    ...io,
    stdout: (t) => io.stdout(secrets.redact(t)),
    stderr: (t) => io.stderr(secrets.redact(t)),
  };
}

/** y/yes → true; anything else → false. */
export async function confirm(io: CommandIO, question: string): Promise<boolean> {
  const answer = (await io.prompt(`${question} [y/N] `)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}
