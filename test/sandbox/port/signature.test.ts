import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../scripts/sandbox/port/ingest.ts';
import type { StoredWebhookRecord } from '../../../scripts/sandbox/port/store.ts';

const body = Buffer.from(JSON.stringify({ object_kind: 'merge_request' }));
const hook = (security: StoredWebhookRecord['security']): StoredWebhookRecord => ({
  identifier: 'gitlab', title: 'GitLab', enabled: true, webhookKey: 'k', createdAt: '', updatedAt: '', createdBy: '', updatedBy: '', security,
});

describe('ingest signature check (webhook security)', () => {
  it('plain: the header must equal the secret; the header name is matched in lowercase', () => {
    const w = hook({ secret: 's3cret', signatureHeaderName: 'X-Gitlab-Token', signatureAlgorithm: 'plain' });
    expect(verifySignature(w, { 'x-gitlab-token': 's3cret' }, body)).toBeUndefined();
    expect(verifySignature(w, { 'x-gitlab-token': 's3cre' }, body)).toMatch(/does not match/);
    expect(verifySignature(w, { 'x-gitlab-token': 's3cret ' }, body)).toMatch(/does not match/);
    expect(verifySignature(w, {}, body)).toMatch(/x-gitlab-token header is missing/);
  });

  it('sha256/sha1: an HMAC of the raw body, with an optional prefix', () => {
    const sig = createHmac('sha256', 'k3y').update(body).digest('hex');
    const w = hook({ secret: 'k3y', signatureHeaderName: 'x-signature', signatureAlgorithm: 'sha256', signaturePrefix: 'sha256=' });
    expect(verifySignature(w, { 'x-signature': `sha256=${sig}` }, body)).toBeUndefined();
    expect(verifySignature(w, { 'x-signature': `sha256=${sig}` }, Buffer.from('{}'))).toMatch(/does not match/);
    const sha1 = hook({ secret: 'k3y', signatureHeaderName: 'x-signature', signatureAlgorithm: 'sha1' });
    expect(verifySignature(sha1, { 'x-signature': createHmac('sha1', 'k3y').update(body).digest('hex') }, body)).toBeUndefined();
  });

  it('no secret or no algorithm means no verification (Port: `security: {}`)', () => {
    expect(verifySignature(hook({}), {}, body)).toBeUndefined();
    expect(verifySignature(hook({ secret: null, signatureHeaderName: 'x', signatureAlgorithm: 'plain' }), {}, body)).toBeUndefined();
  });

  it('never echoes the secret in its message', () => {
    const w = hook({ secret: 'super-secret-value', signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain' });
    expect(verifySignature(w, { 'x-gitlab-token': 'wrong' }, body)).not.toContain('super-secret-value');
  });
});
