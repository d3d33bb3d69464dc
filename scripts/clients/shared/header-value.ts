// A credential sent in an HTTP header (GITLAB_TOKEN in PRIVATE-TOKEN, Port's bearer token) must
// be a byte string: fetch refuses any character beyond Latin-1 (a typographic quote or a
// non-breaking space picked up by copy and paste) and CR, LF or NUL, before anything is sent.
// That is a mistyped credential, not a network problem, and is reported as such.

export interface UnsafeHeaderChar {
  /** 1-based position in the value. */
  position: number;
  /** `U+2019` */
  codePoint: string;
}

/** The first character of `value` that cannot be sent in an HTTP header value, if any. */
export function headerUnsafeChar(value: string): UnsafeHeaderChar | undefined {
  let position = 0;
  for (const ch of value) {
    position++;
    const cp = ch.codePointAt(0)!;
    if (cp > 0xff || cp === 0x0a || cp === 0x0d || cp === 0x00) {
      return { position, codePoint: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` };
    }
  }
  return undefined;
}

/** "contains a character that cannot be sent in an HTTP header (character 27, U+2019); …" */
export function headerUnsafeMessage(found: UnsafeHeaderChar, what: string): string {
  return `contains a character that cannot be sent in an HTTP header (character ${found.position}, ${found.codePoint} — often a typographic quote, dash or space left by copy and paste); copy ${what} again and paste it as plain text`;
}

/** Whether `err` is fetch refusing a header value (undici's TypeError), rather than a network failure. */
export function isHeaderValueError(err: unknown): boolean {
  const m = (err as { message?: string })?.message ?? '';
  return err instanceof TypeError && /ByteString|invalid header value|Invalid character in header/i.test(m);
}
