// Port's error answer `{ok: false, error, message, details?}` (reference/port.md §1.3), thrown by
// the local Port's domain code and rendered by the HTTP layer with its status code.
import type { RuleViolation } from '../../port/blueprint-rules.ts';

export class PortApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PortApiError';
  }

  body(): { ok: false; error: string; message: string; details?: Record<string, unknown> } {
    return { ok: false, error: this.error, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export const notFound = (message: string) => new PortApiError(404, 'not_found', message);
export const identifierTaken = (message: string) => new PortApiError(409, 'identifier_taken', message);
/** The code used for bodies that break the route's schema or Port's rules without a specific code (inferred). */
export const INVALID_REQUEST = 'invalid_request';
export const invalid = (message: string, details?: Record<string, unknown>) => new PortApiError(422, INVALID_REQUEST, message, details);

/**
 * One error for a list of rule violations; the first violation with a Port code decides the code
 * (and `details`, e.g. `{property}` for forbidden_format_change). Others stay in the message, so the
 * body keeps to the published error schema `{ok, error, message}`.
 */
export function violationsError(what: string, violations: readonly RuleViolation[]): PortApiError {
  const coded = violations.find((v) => v.error);
  const lines = violations.map((v) => `${v.path || '/'}: ${v.message}`);
  const status = coded?.error === 'not_found' ? 404 : 422;
  return new PortApiError(status, coded?.error ?? INVALID_REQUEST, `${what}: ${lines.join('; ')}`, coded?.details);
}
