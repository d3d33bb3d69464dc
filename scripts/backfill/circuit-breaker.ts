// Stops a backfill when Port keeps failing, instead of listing all of GitLab into requests that
// cannot land (issue 12 §4). It watches the outcome of each Port request the writer sends, after
// the Port client's own retries (6 attempts with backoff, Retry-After honoured), so a failure here
// already means Port failed that request several times over.
//
// The rule: the run stops when the current streak of failed Port requests — failures with no
// request answered in between — reaches `maxConsecutiveFailures` (default 8), or reaches
// `minFailuresForTime` (default 3) and has lasted `maxFailingMs` (default 2 min: a Port that hangs
// fails few requests, each after minutes). A failure is Port not answering for the request:
// no response (connection refused or reset, timeout), 5xx, 408, 429 after the retries, or 401 after
// the client's token refresh (credentials revoked). Any other answer — 2xx, 207 with per-entity
// errors, 400/404/413/422 — shows that Port works and ends the streak, so rejected entities never
// trip it, and nor does an isolated failure between successes.
import { PortApiError } from '../clients/port/errors.ts';

export interface CircuitBreakerOptions {
  /** Failed Port requests in a row that stop the run (default 8). */
  maxConsecutiveFailures: number;
  /** A streak at least `minFailuresForTime` long that has lasted this long stops the run too (default 120 s). */
  maxFailingMs: number;
  minFailuresForTime: number;
  now: () => number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = {
  maxConsecutiveFailures: 8,
  maxFailingMs: 120_000,
  minFailuresForTime: 3,
  now: () => Date.now(),
};

/** Why the run stopped; `at` is when the streak of failures began (ISO 8601). */
export interface CircuitTrip {
  at: string;
  /** The first failure of the streak, in words. */
  cause: string;
  /** Failed requests in the streak when it tripped. */
  failures: number;
}

/** Thrown instead of sending a request once the breaker has tripped: queued work is cancelled. */
export class CircuitOpenError extends Error {
  constructor(readonly trip: CircuitTrip) {
    super(`not sent: the run stopped because Port stopped answering at ${trip.at}`);
    this.name = 'CircuitOpenError';
  }
}

/** HTTP statuses that mean Port did not serve the request (as opposed to answering about it). */
const OUTAGE_STATUSES = new Set([0, 401, 408, 429]);

/** True when `err` says Port is not serving requests; false for an answer about the request itself. */
export function isPortOutage(err: unknown): boolean {
  return err instanceof PortApiError && (OUTAGE_STATUSES.has(err.status) || err.status >= 500);
}

export class PortCircuitBreaker {
  private readonly o: CircuitBreakerOptions;
  private streak = 0;
  private streakStart = 0;
  private firstCause = '';
  private trip: CircuitTrip | undefined;

  constructor(options: Partial<CircuitBreakerOptions> = {}, private readonly onTrip?: (trip: CircuitTrip) => void) {
    this.o = { ...DEFAULT_CIRCUIT_BREAKER, ...options };
    if (!(Number.isInteger(this.o.maxConsecutiveFailures) && this.o.maxConsecutiveFailures >= 1)) throw new RangeError(`maxConsecutiveFailures must be a whole number >= 1, got ${this.o.maxConsecutiveFailures}`);
    if (!(Number.isInteger(this.o.minFailuresForTime) && this.o.minFailuresForTime >= 1)) throw new RangeError(`minFailuresForTime must be a whole number >= 1, got ${this.o.minFailuresForTime}`);
    if (!(this.o.maxFailingMs >= 0)) throw new RangeError(`maxFailingMs must be >= 0, got ${this.o.maxFailingMs}`);
  }

  /** Set once the run must stop. */
  get tripped(): CircuitTrip | undefined {
    return this.trip;
  }

  /** Sends `request` unless the breaker has tripped, and records how it went. */
  async call<T>(request: () => Promise<T>): Promise<T> {
    if (this.trip) throw new CircuitOpenError(this.trip);
    let result: T;
    try {
      result = await request();
    } catch (err) {
      if (isPortOutage(err)) this.failed(err);
      else if (err instanceof PortApiError) this.answered();
      throw err;
    }
    this.answered();
    return result;
  }

  /** Port answered a request (whatever it said about it): the streak ends. */
  answered(): void {
    if (!this.trip) this.streak = 0;
  }

  /** Port did not serve a request, after the client's retries. */
  failed(err: unknown): void {
    if (this.trip) return;
    const now = this.o.now();
    if (this.streak === 0) {
      this.streakStart = now;
      this.firstCause = causeOf(err);
    }
    this.streak++;
    const long = this.streak >= this.o.minFailuresForTime && now - this.streakStart >= this.o.maxFailingMs;
    if (this.streak >= this.o.maxConsecutiveFailures || long) {
      this.trip = { at: new Date(this.streakStart).toISOString(), cause: this.firstCause, failures: this.streak };
      this.onTrip?.(this.trip);
    }
  }
}

/** The failure in a few words: Port's status and message, without the request path or our hint. */
function causeOf(err: unknown): string {
  if (err instanceof PortApiError) {
    const tries = err.attempts > 1 ? ` (after ${err.attempts} attempts)` : '';
    // With no response, Port's "message" is the network error (`ECONNREFUSED: connect …`).
    return `${err.status ? `HTTP ${err.status} ${err.code}: ` : ''}${err.portMessage}${tries}`;
  }
  return err instanceof Error ? err.message : String(err);
}
