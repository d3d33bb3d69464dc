// Client-side request budget, so a backfill stays under GitLab's per-user limits instead of
// discovering them through 429s. Unlike gitbeaker 43.8 (one limiter set per resource class,
// so `Groups` and `Projects` each get the full budget), one budget is shared by the whole client,
// and an endpoint-specific bucket is taken in addition to the global `**` one.
import type { Clock } from '../shared/clock.ts';

/** Sliding-window log: at most `limit` acquisitions in any `windowMs`. */
export class SlidingWindowLimiter {
  private readonly stamps: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isFinite(limit) || limit < 1) throw new RangeError(`rate limit must be a positive number of requests per window, got ${limit}`);
  }

  /** Resolves when a request may be sent. Waiters are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    // Bounded: each pass either takes a slot or sleeps until the oldest stamp leaves the window.
    for (let i = 0; i < 1000; i++) {
      const now = this.clock.now();
      while (this.stamps.length && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
      if (this.stamps.length < this.limit) {
        this.stamps.push(now);
        return;
      }
      await this.clock.sleep(this.stamps[0]! + this.windowMs - now);
    }
    throw new Error('rate limiter could not obtain a slot');
  }
}

/** `*` matches within one path segment, `**` matches anything (gitbeaker's glob convention). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export class EndpointRateLimits {
  private readonly buckets: Array<{ glob: string; re: RegExp; limiter: SlidingWindowLimiter }>;
  private readonly global?: SlidingWindowLimiter;

  constructor(limits: Record<string, number>, windowMs: number, clock: Clock) {
    this.buckets = Object.entries(limits)
      .filter(([glob]) => glob !== '**')
      .map(([glob, n]) => ({ glob, re: globToRegExp(glob), limiter: new SlidingWindowLimiter(n, windowMs, clock) }))
      // Most specific (longest) pattern first.
      .sort((a, b) => b.glob.length - a.glob.length);
    if (limits['**'] !== undefined) this.global = new SlidingWindowLimiter(limits['**'], windowMs, clock);
  }

  /** Takes a slot in the most specific bucket matching `path` (no leading slash, no query), then in `**`. */
  async acquire(path: string): Promise<void> {
    const bucket = this.buckets.find((b) => b.re.test(path));
    if (bucket) await bucket.limiter.acquire();
    if (this.global) await this.global.acquire();
  }
}
