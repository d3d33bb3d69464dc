// Raw-HTTP helpers for the local Port contract tests: every answer of a documented status is
// checked against Port's published response schema for that operation.
import { expect } from 'vitest';
import { checkResponseBody, portOperation, type OperationName } from '../../../scripts/port/api-schemas.ts';
import { describeErrors } from '../../../scripts/schema/ajv.ts';
import type { LocalPort } from '../../../scripts/sandbox/port/server.ts';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  port: Pick<LocalPort, 'url'>,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'user-agent': 'port-gitlab-template-tests/1.0', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(port.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch { /* keep the text */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function tokenFor(port: LocalPort): Promise<string> {
  const res = await call(port, 'POST', '/v1/auth/access_token', { body: { clientId: port.clientId, clientSecret: port.clientSecret } });
  expect(res.status).toBe(200);
  matchesSchema('create-an-access-token', res);
  return res.body.accessToken;
}

/** Asserts the answer matches the operation's published schema for its status (which must be documented). */
export function matchesSchema(operation: OperationName, answer: Answer): void {
  const check = checkResponseBody(operation, answer.status, answer.body);
  expect(check.ok, `${operation} ${answer.status}: ${describeErrors(check.errors).join('; ')}\n${JSON.stringify(answer.body).slice(0, 500)}`).toBe(true);
}

/** Whether Port documents this status for the operation (undocumented ones: 409, 429, 201 for webhooks…). */
export function documented(operation: OperationName, status: number): boolean {
  return String(status) in portOperation(operation).responses;
}

/** Port's error shape `{ok: false, error, message, details?}` with the given status and code. */
export function expectPortError(answer: Answer, status: number, error: string, operation?: OperationName): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({ ok: false, error });
  expect(typeof answer.body.message).toBe('string');
  if (operation && documented(operation, status)) {
    // `details` is Port's documented extension (port-cli reads details.property); the published
    // error schemas list only ok/error/message, so it is checked separately.
    const { details: _details, ...rest } = answer.body;
    matchesSchema(operation, { ...answer, body: rest });
  }
}
