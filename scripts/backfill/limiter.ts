// Bounded concurrency: at most `size` tasks run at once, the rest wait in arrival order. One
// limiter per API, so GitLab and Port each see a fixed number of requests in flight.
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Tasks started (for request counting). */
  started = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a positive integer, got ${size}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    this.started++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
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
