// The backfill's circuit breaker on its own: what counts as Port failing, when it trips, and that
// nothing is sent once it has.
import { describe, expect, it } from 'vitest';
import { CircuitOpenError, DEFAULT_CIRCUIT_BREAKER, isPortOutage, PortCircuitBreaker, type CircuitTrip } from '../../scripts/backfill/circuit-breaker.ts';
import { PortApiError, PortRequestSchemaError } from '../../scripts/clients/port/errors.ts';

const BULK = '/v1/blueprints/gitlabIssue/entities/bulk';
function portError(status: number, code: string, message: string, attempts = 6): PortApiError {
  return new PortApiError({ status, code, message, method: 'POST', path: BULK, attempts });
}
const refused = () => portError(0, 'econnrefused', 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', 1);
const unavailable = () => portError(503, 'internal_error', 'Service Unavailable');
const rejected = () => portError(422, 'invalid_request', 'entity does not match the blueprint', 1);

function breaker(options: ConstructorParameters<typeof PortCircuitBreaker>[0] = {}) {
  let t = Date.parse('2026-12-02T10:00:00.000Z');
  const trips: CircuitTrip[] = [];
  const b = new PortCircuitBreaker({ now: () => t, ...options }, (trip) => trips.push(trip));
  return { b, trips, advance: (ms: number) => { t += ms; } };
}

async function fail(b: PortCircuitBreaker, err: unknown): Promise<unknown> {
  return b.call(() => Promise.reject(err)).catch((e: unknown) => e);
}

describe('PortCircuitBreaker', () => {
  it('classifies Port not serving a request apart from Port answering about it', () => {
    for (const e of [refused(), unavailable(), portError(500, 'internal_error', 'x'), portError(502, 'http_502', 'Bad Gateway'), portError(429, 'rate_limit_exceeded', 'slow down'), portError(408, 'http_408', 'timeout'), portError(401, 'unauthorized', 'token revoked')]) {
      expect([e.status, isPortOutage(e)]).toEqual([e.status, true]);
    }
    for (const e of [rejected(), portError(404, 'not_found', 'no blueprint'), portError(400, 'invalid_request', 'bad'), portError(413, 'request_too_large', 'big'), portError(403, 'forbidden', 'no')]) {
      expect([e.status, isPortOutage(e)]).toEqual([e.status, false]);
    }
    expect(isPortOutage(new TypeError('x'))).toBe(false);
  });

  it(`trips on the ${DEFAULT_CIRCUIT_BREAKER.maxConsecutiveFailures}th failed request in a row, naming when Port began failing and why`, async () => {
    const { b, trips, advance } = breaker();
    expect(await b.call(async () => 'ok')).toBe('ok');
    advance(1000);
    for (let i = 1; i < DEFAULT_CIRCUIT_BREAKER.maxConsecutiveFailures; i++) {
      await fail(b, i === 1 ? refused() : unavailable());
      advance(100);
      expect(b.tripped).toBeUndefined();
    }
    await fail(b, unavailable());
    expect(trips).toEqual([{ at: '2026-12-02T10:00:01.000Z', cause: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', failures: DEFAULT_CIRCUIT_BREAKER.maxConsecutiveFailures }]);
    expect(b.tripped).toEqual(trips[0]);
  });

  it('says the status, Port\'s message and the attempts when Port answered with an error', async () => {
    const { b, trips } = breaker({ maxConsecutiveFailures: 1 });
    await fail(b, unavailable());
    expect(trips[0]!.cause).toBe('HTTP 503 internal_error: Service Unavailable (after 6 attempts)');
  });

  it('does not trip on isolated failures between successes, however many', async () => {
    const { b, trips } = breaker();
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < DEFAULT_CIRCUIT_BREAKER.maxConsecutiveFailures - 1; i++) await fail(b, unavailable());
      await b.call(async () => undefined);
    }
    expect(trips).toEqual([]);
  });

  it('never trips on entities Port rejects (4xx answers end a streak)', async () => {
    const { b, trips } = breaker({ maxConsecutiveFailures: 2 });
    for (let i = 0; i < 1000; i++) expect(await fail(b, rejected())).toBeInstanceOf(PortApiError);
    await fail(b, unavailable());
    await fail(b, portError(404, 'not_found', 'missing'));
    await fail(b, unavailable());
    expect(trips).toEqual([]);
  });

  it('ignores errors that are not about Port (a body refused before sending, a bug): neither failure nor answer', async () => {
    const { b, trips } = breaker({ maxConsecutiveFailures: 3 });
    await fail(b, unavailable());
    await fail(b, new PortRequestSchemaError('create-multiple-entities', 'POST', BULK, ['/entities must be array']));
    await fail(b, new TypeError('boom'));
    await fail(b, unavailable());
    expect(trips).toEqual([]);
    await fail(b, unavailable());
    expect(trips).toHaveLength(1);
  });

  it('trips on a shorter streak that has lasted maxFailingMs (a Port that hangs fails few requests)', async () => {
    const { b, trips, advance } = breaker({ maxFailingMs: 120_000, minFailuresForTime: 3 });
    await fail(b, unavailable());
    advance(200_000);
    await fail(b, unavailable()); // two failures over 200 s: not yet
    expect(trips).toEqual([]);
    await fail(b, unavailable());
    expect(trips).toHaveLength(1);
    expect(trips[0]!.failures).toBe(3);

    const quick = breaker({ maxFailingMs: 120_000, minFailuresForTime: 3 });
    for (let i = 0; i < 3; i++) { await fail(quick.b, unavailable()); quick.advance(30_000); }
    expect(quick.trips).toEqual([]); // three failures within 60 s: not yet
  });

  it('sends nothing once tripped: queued work gets CircuitOpenError, and later answers do not close it again', async () => {
    const { b } = breaker({ maxConsecutiveFailures: 2 });
    // Five requests in flight when Port dies; three more queued behind them.
    const inflight = Array.from({ length: 5 }, () => b.call(() => Promise.reject(refused())).catch((e: unknown) => e));
    expect((await Promise.all(inflight)).every((e) => e instanceof PortApiError)).toBe(true);
    let sent = 0;
    const queued = await Promise.all(Array.from({ length: 3 }, () => b.call(async () => { sent++; }).catch((e: unknown) => e)));
    expect(sent).toBe(0);
    expect(queued.every((e) => e instanceof CircuitOpenError)).toBe(true);
    expect((queued[0] as CircuitOpenError).message).toMatch(/^not sent: the run stopped because Port stopped answering at 2026-12-02T10:00:00.000Z$/);
    b.answered();
    await expect(b.call(async () => 'late')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(b.tripped!.failures).toBe(2);
  });

  it('refuses nonsense settings', () => {
    expect(() => new PortCircuitBreaker({ maxConsecutiveFailures: 0 })).toThrow(/maxConsecutiveFailures/);
    expect(() => new PortCircuitBreaker({ minFailuresForTime: 1.5 })).toThrow(/minFailuresForTime/);
    expect(() => new PortCircuitBreaker({ maxFailingMs: -1 })).toThrow(/maxFailingMs/);
  });
});
