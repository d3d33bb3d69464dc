// Exponential backoff with "full jitter" (delay drawn uniformly from [0, min(cap, base·2^n)]):
// spreads retries of many concurrent workers instead of having them hit the API in lock-step.

export interface RetryPolicy {
  /** Total tries including the first one. */
  maxAttempts: number;
  /** Backoff base: the n-th retry waits up to `baseDelayMs · 2^n`. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay. */
  maxDelayMs: number;
  /**
   * Longest wait we accept from the server (Retry-After, rate-limit reset). A longer demand fails
   * at once with an explanation rather than sleeping for an unbounded time.
   */
  maxWaitMs: number;
}

/** `retry` is 0 for the first retry. `random` returns [0, 1). */
export function fullJitterDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}
