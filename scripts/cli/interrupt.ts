// Ctrl-C and SIGTERM for the long-running commands (backfill, sync): the first asks the run to
// finish the requests in flight and stop; a second quits at once with 130. The caller's own
// signal (tests, install's backfill step) aborts the same way.
import type { CommandIO } from '../install/io.ts';

export interface Interruptible {
  signal: AbortSignal;
  /** Removes the process handlers; call in `finally`. */
  dispose(): void;
}

/** `message` is printed on the first interrupt (say what is kept and that a re-run completes). */
export function interruptible(io: CommandIO, message: string, outer?: AbortSignal): Interruptible {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr(`\n${message}\n`);
    controller.abort(new Error('SIGINT'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
