// POST /v1/auth/access_token and bearer-token checks (reference/port.md §1.2): one active token per
// credential set (asking again before expiry returns the same token), configurable lifetime.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PortContext } from './context.ts';
import { PortApiError } from './errors.ts';

export interface TokenAnswer {
  ok: true;
  accessToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

const unauthorized = (message: string) => new PortApiError(401, 'unauthorized', message);

/** Compares secrets in constant time whatever their lengths: both sides are hashed first. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function issueToken(ctx: PortContext, clientId: string, clientSecret: string, lifetimeSeconds: number): TokenAnswer {
  const creds = ctx.state.credentials;
  if (!sameSecret(clientId, creds.clientId) || !sameSecret(clientSecret, creds.clientSecret)) {
    throw unauthorized('The clientId or clientSecret is wrong; copy both from the local Port\'s startup output');
  }
  const now = ctx.now();
  ctx.state.tokens = ctx.state.tokens.filter((t) => t.expiresAt > now);
  let record = ctx.state.tokens.find((t) => t.clientId === clientId);
  if (!record) {
    // JWT-shaped like Port's tokens (clients may read the claims); the signature key is per token.
    const iat = Math.floor(now / 1000);
    const payload = { sub: clientId, orgId: ctx.state.orgId, iat, exp: iat + lifetimeSeconds, jti: randomBytes(8).toString('hex') };
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    const signature = createHmac('sha256', randomBytes(32)).update(unsigned).digest('base64url');
    record = { token: `${unsigned}.${signature}`, clientId, expiresAt: now + lifetimeSeconds * 1000 };
    ctx.state.tokens.push(record);
    ctx.changed();
  }
  return { ok: true, accessToken: record.token, expiresIn: Math.max(0, Math.floor((record.expiresAt - now) / 1000)), tokenType: 'Bearer' };
}

/** Returns the client id of a valid `Authorization: Bearer` token, or throws Port's 401. */
export function authenticate(ctx: PortContext, authorization: string | undefined): string {
  if (!authorization) throw unauthorized('Missing Authorization header; send "Authorization: Bearer <accessToken>" from POST /v1/auth/access_token');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthorized('The Authorization header must be "Bearer <accessToken>"');
  const record = ctx.state.tokens.find((t) => t.token === match[1]);
  if (!record) throw unauthorized('The access token is not valid; request a new one from POST /v1/auth/access_token');
  if (record.expiresAt <= ctx.now()) throw unauthorized('The access token has expired; request a new one from POST /v1/auth/access_token');
  return record.clientId;
}
