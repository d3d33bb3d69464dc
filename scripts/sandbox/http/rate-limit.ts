/**
 * A fixed-window request counter per key (user, token, IP…). Servers map its decision to their
 * own headers (GitLab `RateLimit-*`, Port `x-ratelimit-*`) and 429 bodies. The clock is
 * injectable so tests can cross window boundaries without waiting.
 */
export type RateLimitOptions = {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Clock in epoch milliseconds (default Date.now). */
  now?: () => number;
};

export type RateLimitDecision = {
  allowed: boolean;
  limit: number;
  /** Requests counted in the current window, including this one. */
  observed: number;
  remaining: number;
  /** When the current window ends (epoch ms). */
  resetAtMs: number;
  /** Whole seconds until the window ends (>= 1 when refused). */
  retryAfterSeconds: number;
};

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;

  constructor(readonly options: RateLimitOptions) {
    if (!(options.limit >= 1) || !(options.windowMs >= 1)) throw new RangeError('rate limit needs limit >= 1 and windowMs >= 1');
    this.now = options.now ?? Date.now;
  }

  /** Counts one request for `key` and says whether it is within the budget. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    const start = now - (now % this.options.windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(key, w);
      this.prune(start);
    }
    w.count++;
    const resetAtMs = start + this.options.windowMs;
    const allowed = w.count <= this.options.limit;
    return {
      allowed,
      limit: this.options.limit,
      observed: w.count,
      remaining: Math.max(0, this.options.limit - w.count),
      resetAtMs,
      retryAfterSeconds: Math.max(1, Math.ceil((resetAtMs - now) / 1000)),
    };
  }

  /** Forgets windows that have ended, so the map stays as small as the set of active keys. */
  private prune(currentStart: number): void {
    if (this.windows.size < 1024) return;
    for (const [key, w] of this.windows) if (w.start < currentStart) this.windows.delete(key);
  }
}
