// Reads a saved webhook request (`{headers, body, queryParams?}`, the shape of Port's "test event"
// and of the fixtures) and says what is wrong with it instead of throwing.
import type { WebhookRequest } from './types.ts';

export type ParsedRequest = { request: WebhookRequest; problems: string[] } | { request?: undefined; problems: string[] };

export function parseRequestText(text: string): ParsedRequest {
  if (text.trim() === '') return { problems: ['the file is empty; expected a JSON object {"headers": {...}, "body": {...}}'] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problems: [`invalid JSON: ${(err as Error).message}`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: ['expected a JSON object {"headers": {...}, "body": {...}}'] };
  }
  const v = value as Record<string, unknown>;
  if (!('headers' in v) || !('body' in v)) {
    return { problems: ['expected {"headers": {...}, "body": {...}} — a bare GitLab payload needs wrapping, with at least the X-Gitlab-Event header'] };
  }
  if (typeof v.headers !== 'object' || v.headers === null || Array.isArray(v.headers)) {
    return { problems: ['"headers" must be an object of header names to values'] };
  }
  const problems: string[] = [];
  const headers = v.headers as Record<string, unknown>;
  const event = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-gitlab-event')?.[1];
  if (event === undefined) problems.push('not a GitLab webhook request: no X-Gitlab-Event header, so no mapping applies');
  let body = v.body;
  if (typeof body === 'string') {
    // Port parses JSON bodies; a body saved as a JSON string is parsed the same way.
    try {
      body = JSON.parse(body);
    } catch {
      problems.push('"body" is a string that is not JSON; Port would receive no payload fields');
    }
  }
  const queryParams = (typeof v.queryParams === 'object' && v.queryParams !== null ? v.queryParams : {}) as Record<string, string>;
  return { request: { headers: Object.fromEntries(Object.entries(headers).map(([k, h]) => [k, String(h)])), body, queryParams }, problems };
}
