// Port access-token cache. Port keeps one active token per credential set (port.md §1.2), so
// every concurrent caller shares one cached token and at most one token request is in flight.
import type { Clock } from '../shared/clock.ts';

export interface IssuedToken {
  accessToken: string;
  /** Seconds until the token expires (Port: 3 h). */
  expiresIn: number;
}

export class PortTokenManager {
  private token?: string;
  private expiresAt = 0;
  private inFlight?: Promise<string>;
  /** Every token ever issued to us, so that the redactor can scrub any of them. */
  readonly seen = new Set<string>();

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly clock: Clock,
    /** Refresh this long before `expiresIn` runs out (port.md §6 item 2: 5 min). */
    private readonly marginMs = 5 * 60_000,
  ) {}

  /** A valid token: the cached one, or the result of the single in-flight request. */
  async get(): Promise<string> {
    if (this.token && this.clock.now() < this.expiresAt) return this.token;
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Drops `rejected` after a 401. Only the token the caller actually used is dropped, so that a
   * burst of 401s from concurrent requests leads to a single refresh.
   */
  invalidate(rejected: string): void {
    if (this.token === rejected) {
      this.token = undefined;
      this.expiresAt = 0;
    }
  }

  private async fetch(): Promise<string> {
    const issued = await this.issue();
    const lifetimeMs = Math.max(0, issued.expiresIn) * 1000;
    // A short-lived token (a sandbox's) must still be usable: never spend more than half its life as margin.
    const margin = Math.min(this.marginMs, lifetimeMs / 2);
    this.token = issued.accessToken;
    this.seen.add(issued.accessToken);
    this.expiresAt = this.clock.now() + lifetimeMs - margin;
    return issued.accessToken;
  }
}
