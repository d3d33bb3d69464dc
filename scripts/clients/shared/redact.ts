// Secrets must never reach an error message, a log line or a JSON report.

const MARK = '[REDACTED]';

/** Replaces every occurrence of each secret (and any `Bearer <token>`) in `text`. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${MARK}`);
  for (const s of secrets) {
    // Very short values would redact ordinary words; real tokens and secrets are long.
    if (s && s.length >= 6) out = out.split(s).join(MARK);
  }
  return out;
}

/** Deep copy of a JSON-like value with secrets redacted from every string. */
export function redactDeep<T>(value: T, secrets: Iterable<string | undefined>): T {
  if (value === undefined) return value;
  const list = [...secrets];
  return JSON.parse(redact(JSON.stringify(value), list.map((s) => (s ? JSON.stringify(s).slice(1, -1) : s)))) as T;
}
