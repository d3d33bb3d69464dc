// Parsing of the server's "wait" signals: Retry-After and the x-ratelimit-*/RateLimit-* headers.

/**
 * `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds
 * to wait (never negative), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const v = String(value).trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * A rate-limit reset header. Port documents `x-ratelimit-reset` as epoch seconds while its
 * Terraform provider reads it as seconds-until-reset; GitLab's `RateLimit-Reset` is epoch seconds.
 * A value above 1e9 can only be an epoch (1e9 s from now is 31 years), so both readings are safe.
 * Returns milliseconds until the reset, or undefined.
 */
export function parseRateLimitReset(value: string | undefined | null, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const v = String(value).trim();
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  const n = Number(v);
  if (n > 1e9) return Math.max(0, Math.ceil(n * 1000 - nowMs));
  return Math.ceil(n * 1000);
}

/** Integer header value, or undefined. */
export function parseIntHeader(value: string | undefined | null): number | undefined {
  if (value == null) return undefined;
  const v = String(value).trim();
  return /^-?\d+$/.test(v) ? Number(v) : undefined;
}
