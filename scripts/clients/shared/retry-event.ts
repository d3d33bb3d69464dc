// What a client reports each time it waits before retrying a request (for logs and tests).
export interface RetryEvent {
  method: string;
  path: string;
  /** 1-based number of the attempt that failed. */
  attempt: number;
  status: number;
  reason: string;
  waitMs: number;
}
