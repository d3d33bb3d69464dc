// Proactive throttle: once a server says "0 requests remaining until <reset>", every request of
// this client waits for the reset instead of provoking a 429 (what Port's Terraform provider does).
import type { Clock } from './clock.ts';

export class RateLimitGate {
  private blockedUntil = 0;

  constructor(private readonly clock: Clock) {}

  /** Record the server's budget from one response. */
  observe(remaining: number | undefined, resetInMs: number | undefined): void {
    if (remaining === undefined || remaining > 0 || resetInMs === undefined) return;
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + resetInMs);
  }

  /** Milliseconds a request sent now would have to wait. */
  pendingMs(): number {
    return Math.max(0, this.blockedUntil - this.clock.now());
  }

  /** Waits out the block, at most `capMs` (the server answers 429 if we are still early). */
  async wait(capMs: number, signal?: AbortSignal): Promise<number> {
    const ms = Math.min(this.pendingMs(), capMs);
    if (ms > 0) await this.clock.sleep(ms, signal);
    return ms;
  }
}
