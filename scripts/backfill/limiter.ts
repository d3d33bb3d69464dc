// Bounded concurrency: at most `size` tasks run at once, the rest wait in arrival order. One
// limiter per API, so GitLab and Port each see a fixed number of requests in flight. It also
// keeps how long all its slots were taken and how long a task took, which tells the user which
// API held the run back (see `usage`).
export interface LimiterUsage {
  /** Its size: tasks allowed at once. */
  slots: number;
  /** Tasks started (requests sent). */
  started: number;
  /** Mean time a task took, ms (queueing before it started not included). */
  meanMs: number;
  /** Share of the time since the limiter was made during which every slot was taken. */
  saturation: number;
}

export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Tasks started (for request counting). */
  started = 0;
  private readonly createdAt: number;
  private fullSince: number | undefined;
  private fullMs = 0;
  private taskMs = 0;
  private finished = 0;

  constructor(readonly size: number, private readonly now: () => number = () => performance.now()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a positive integer, got ${size}`);
    this.createdAt = now();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    this.started++;
    const start = this.now();
    if (this.active === this.size) this.fullSince = start;
    try {
      return await task();
    } finally {
      const end = this.now();
      this.taskMs += end - start;
      this.finished++;
      if (this.active === this.size && this.fullSince !== undefined) {
        this.fullMs += end - this.fullSince;
        this.fullSince = undefined;
      }
      this.active--;
      this.waiting.shift()?.();
    }
  }

  usage(): LimiterUsage {
    const now = this.now();
    const full = this.fullMs + (this.fullSince !== undefined ? now - this.fullSince : 0);
    const elapsed = now - this.createdAt;
    return {
      slots: this.size,
      started: this.started,
      meanMs: this.finished ? Math.round((this.taskMs / this.finished) * 10) / 10 : 0,
      saturation: elapsed > 0 ? Math.round((full / elapsed) * 100) / 100 : 0,
    };
  }
}

/** Runs `worker` over every item of `items` (an async iterable), at most `size` at once. */
export async function forEachLimited<T>(items: AsyncIterable<T> | Iterable<T>, size: number, worker: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: unknown;
  for await (const item of items as AsyncIterable<T>) {
    if (signal?.aborted || failure !== undefined) break;
    const p: Promise<void> = worker(item).catch((err) => {
      failure ??= err;
    }).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= size) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}
