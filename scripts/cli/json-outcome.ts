// `--json` promises one JSON object on stdout for every outcome, failures included: a script or
// CI job parses stdout whatever happened. Commands print their own object on success and on the
// failures they model; this covers every other way a run can end (a bad flag or input, a broken
// bundle, an error thrown to the dispatcher), for every command, present and future: when a
// `--json` run ends without having written to stdout, it writes
// `{"ok": false, "exitCode": N, "error": "<what the run said on stderr>"}`.
import type { CommandIO } from '../install/io.ts';

/** Whether the command line asks for JSON (`--json` before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Usage text is for a person at a terminal; the JSON error keeps the sentence before it. */
function withoutUsage(text: string): string {
  const at = text.search(/(^|\n)usage: port-gitlab/);
  return (at === -1 ? text : text.slice(0, at)).trim();
}

/** A long run's progress lines go to stderr too; only the end can explain how it ended. */
const SAID_KEPT = 16_384;

export interface OutcomeRecorder {
  /** The IO to hand the command: the same streams, watched. */
  io: CommandIO;
  /** Writes the failure object when the run asked for JSON and printed none. */
  finish(exitCode: number): void;
}

export function recordOutcome(argv: readonly string[], io: CommandIO): OutcomeRecorder {
  const json = wantsJson(argv);
  let printed = false;
  let said = '';
  return {
    io: {
      ...io,
      stdout: (t) => { if (t) printed = true; io.stdout(t); },
      // Every command's stderr has been redacted before it gets here (install/io.ts redactingIO).
      stderr: (t) => { said = (said + t).slice(-SAID_KEPT); io.stderr(t); },
    },
    finish(exitCode) {
      if (!json || printed) return;
      printed = true;
      io.stdout(JSON.stringify({ ok: exitCode === 0, exitCode, error: withoutUsage(said) || `exit code ${exitCode}` }) + '\n');
    },
  };
}
