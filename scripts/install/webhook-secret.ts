// The shared secret between the GitLab hook (its `token`, sent as X-Gitlab-Token) and the Port
// webhook (`security.secret`, compared as is). Generated with a CSPRNG; never printed.
import { createHmac, randomBytes } from 'node:crypto';
import { MASKED_SECRET } from '../bundle/render.ts';

/** 32 random bytes, base64url (43 characters; GitLab accepts any string as a hook token). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The secret Port gave back, when it is usable: Port may omit or mask it, and then it cannot be
 * recovered (both sides must be rotated together).
 */
export function recoverableSecret(secret: unknown): string | undefined {
  if (typeof secret !== 'string') return undefined;
  if (secret.length < 16 || secret === MASKED_SECRET || /^\*+$/.test(secret) || secret.includes('****')) return undefined;
  return secret;
}

/**
 * A short one-way fingerprint of the secret, stored in the hook's description: GitLab never
 * returns a hook's token, and this lets a re-run tell whether the hook's token still equals the
 * webhook secret without sending it again. An HMAC of a 256-bit random value reveals nothing usable.
 */
export function secretFingerprint(secret: string): string {
  return createHmac('sha256', secret).update('port-gitlab-template hook token').digest('hex').slice(0, 16);
}
