// The GitLab token's expiry, as preflight and doctor report it. Judged against the run's clock (not
// Date.now()) so both commands agree, and tests can set the day.
import type { Clock } from '../clients/shared/clock.ts';

/** Warn this many days ahead: enough time to rotate before a scheduled re-run or backfill fails. */
export const TOKEN_EXPIRY_WARN_DAYS = 7;
const DAY_MS = 86_400_000;

export interface TokenExpiryCheck {
  check: 'gitlab.expiry';
  status: 'warn';
  message: string;
  fix: string;
}

/**
 * A warning when the token expires within TOKEN_EXPIRY_WARN_DAYS of `clock.now()`; undefined when
 * it expires later, never (`expires_at` null), or the date is unreadable. GitLab's `expires_at`
 * is a date (`2025-06-30`), read as the start of that day, UTC: the earliest it can stop working.
 */
export function tokenExpiryCheck(expiresAt: string | null | undefined, clock: Pick<Clock, 'now'>): TokenExpiryCheck | undefined {
  if (!expiresAt) return undefined;
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return undefined;
  const days = (at - clock.now()) / DAY_MS;
  if (days >= TOKEN_EXPIRY_WARN_DAYS) return undefined;
  const when = days <= 0 ? 'has expired' : days < 1 ? 'expires within a day' : `expires in ${Math.floor(days)} day${Math.floor(days) === 1 ? '' : 's'}`;
  return {
    check: 'gitlab.expiry',
    status: 'warn',
    message: `the GitLab token ${when} (expires_at ${expiresAt})`,
    fix: 'rotate it before then: the hook keeps delivering without it, but re-runs, backfills and doctor need a valid token',
  };
}
