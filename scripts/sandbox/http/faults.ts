/**
 * Configurable fault injection for the sandbox servers, so clients can be tested against the
 * failures real services produce: added latency, a fraction of 5xx answers, bursts of 429 with
 * Retry-After, and dropped connections (socket destroyed with no response). Random choices use a
 * seeded PRNG so a given configuration fails the same requests on every run; `failNext`,
 * `throttleNext` and `dropNext` force exact faults for deterministic tests.
 * The injector only decides; each server renders errors and 429s in its own format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { seededRandom } from './random.ts';

export type FaultConfig = {
  /** Added before every response (ms). */
  latencyMs?: number;
  /** Fraction (0..1) of requests answered with `errorStatus`. */
  errorRate?: number;
  /** Status used for random errors (default 500). */
  errorStatus?: number;
  /** Fraction (0..1) of requests whose connection is dropped without a response. */
  dropRate?: number;
  /** Every `every` requests, the following `length` requests get 429 with Retry-After. */
  throttleBurst?: { every: number; length: number; retryAfterSeconds: number };
  /** Seed of the PRNG behind the random fractions (default 1). */
  seed?: number;
};

export type FaultDecision =
  | { kind: 'pass'; delayMs: number }
  | { kind: 'error'; delayMs: number; status: number }
  | { kind: 'throttle'; delayMs: number; retryAfterSeconds: number }
  | { kind: 'drop'; delayMs: number };

export type FaultStats = { requests: number; errors: number; throttled: number; dropped: number };

type Forced = { kind: 'error'; status: number } | { kind: 'throttle'; retryAfterSeconds: number } | { kind: 'drop' };

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = seededRandom(1);
  private forced: Forced[] = [];
  private burstLeft = 0;
  readonly stats: FaultStats = { requests: 0, errors: 0, throttled: 0, dropped: 0 };

  constructor(config: FaultConfig = {}) {
    this.configure(config);
  }

  /** Replaces the configuration (not the forced queue); validates fractions and sizes. */
  configure(config: FaultConfig): void {
    for (const key of ['errorRate', 'dropRate'] as const) {
      const v = config[key];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`faults.${key} must be between 0 and 1, got ${v}`);
    }
    if (config.latencyMs !== undefined && !(config.latencyMs >= 0)) throw new RangeError(`faults.latencyMs must be >= 0, got ${config.latencyMs}`);
    const burst = config.throttleBurst;
    if (burst && !(burst.every >= 1 && burst.length >= 1 && burst.retryAfterSeconds >= 0)) {
      throw new RangeError('faults.throttleBurst needs every >= 1, length >= 1, retryAfterSeconds >= 0');
    }
    this.config = { ...config };
    this.random = seededRandom(config.seed ?? 1);
    this.burstLeft = 0;
  }

  /** Forces the next `count` requests to be answered with `status`. */
  failNext(count: number, status = 500): void { for (let i = 0; i < count; i++) this.forced.push({ kind: 'error', status }); }
  /** Forces the next `count` requests to be answered 429 with this Retry-After. */
  throttleNext(count: number, retryAfterSeconds = 1): void { for (let i = 0; i < count; i++) this.forced.push({ kind: 'throttle', retryAfterSeconds }); }
  /** Forces the next `count` requests to have their connection dropped. */
  dropNext(count: number): void { for (let i = 0; i < count; i++) this.forced.push({ kind: 'drop' }); }
  /** Removes every forced fault and resets the configuration to "no faults". */
  clear(): void { this.forced = []; this.configure({}); }

  /** Decides what happens to the next request. */
  next(): FaultDecision {
    this.stats.requests++;
    const delayMs = this.config.latencyMs ?? 0;
    const forced = this.forced.shift();
    const decision = forced ? { ...forced, delayMs } : this.randomDecision(delayMs);
    if (decision.kind === 'error') this.stats.errors++;
    if (decision.kind === 'throttle') this.stats.throttled++;
    if (decision.kind === 'drop') this.stats.dropped++;
    return decision;
  }

  private randomDecision(delayMs: number): FaultDecision {
    const burst = this.config.throttleBurst;
    if (burst) {
      if (this.burstLeft > 0) {
        this.burstLeft--;
        return { kind: 'throttle', delayMs, retryAfterSeconds: burst.retryAfterSeconds };
      }
      if (this.stats.requests % burst.every === 0) {
        this.burstLeft = burst.length - 1;
        return { kind: 'throttle', delayMs, retryAfterSeconds: burst.retryAfterSeconds };
      }
    }
    if (this.config.dropRate && this.random() < this.config.dropRate) return { kind: 'drop', delayMs };
    if (this.config.errorRate && this.random() < this.config.errorRate) return { kind: 'error', delayMs, status: this.config.errorStatus ?? 500 };
    return { kind: 'pass', delayMs };
  }
}

export type FaultRenderers = {
  error(res: ServerResponse, status: number): void;
  throttle(res: ServerResponse, retryAfterSeconds: number): void;
};

/**
 * Waits the decided latency, then carries out the fault. Returns true when the request was
 * consumed by the fault (the caller must not answer it), false when it should be served normally.
 */
export async function applyFault(decision: FaultDecision, req: IncomingMessage, res: ServerResponse, render: FaultRenderers): Promise<boolean> {
  if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
  switch (decision.kind) {
    case 'pass':
      return false;
    case 'drop':
      req.socket.destroy();
      return true;
    case 'error':
      render.error(res, decision.status);
      return true;
    case 'throttle':
      render.throttle(res, decision.retryAfterSeconds);
      return true;
  }
}
