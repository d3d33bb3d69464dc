// `POST /api/graphql` (and `GET` with `query`/`variables` parameters) of the local GitLab. The
// server has authenticated the request and applied the rate limit before this runs, as GitLab
// counts GraphQL requests against the same authenticated API limit. Answers as GitLab does:
// HTTP 200 with `{data}` and/or `{errors}` for anything about the query itself; 400 for a body
// that is not JSON.
import type { IncomingMessage } from 'node:http';
import { readRawBody } from '../../http/body.ts';
import type { GitLabInstance, TokenInfo } from '../instance.ts';
import type { GraphQLResponse } from './execute.ts';
import { graphqlExecutor } from './schema.ts';

/** Larger bodies are refused before parsing (GitLab refuses oversized requests with 413). */
const MAX_BODY_BYTES = 1024 * 1024;

export async function serveGraphQL(gl: GitLabInstance, req: IncomingMessage, url: URL, auth: TokenInfo | null): Promise<{ status: number; json: GraphQLResponse | { message: string } }> {
  let body: { query?: unknown; variables?: unknown; operationName?: unknown };
  if (req.method === 'GET') {
    let variables: unknown;
    try {
      variables = url.searchParams.has('variables') ? JSON.parse(url.searchParams.get('variables')!) : undefined;
    } catch {
      return { status: 200, json: { errors: [{ message: 'Variables must be a JSON object' }] } };
    }
    body = { query: url.searchParams.get('query') ?? undefined, variables, operationName: url.searchParams.get('operationName') ?? undefined };
  } else if (req.method === 'POST') {
    const raw = await readRawBody(req, MAX_BODY_BYTES);
    if (!raw.ok) return { status: raw.reason === 'too_large' ? 413 : 400, json: { message: raw.message } };
    try {
      body = raw.value.length ? (JSON.parse(raw.value.toString('utf8')) as typeof body) : {};
    } catch {
      return { status: 400, json: { errors: [{ message: 'The request body is not valid JSON' }] } };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, json: { errors: [{ message: 'The request body must be a JSON object {query, variables, operationName}' }] } };
  } else {
    req.resume();
    return { status: 405, json: { message: '405 Method Not Allowed' } };
  }
  return { status: 200, json: await graphqlExecutor(gl.version).run(body, { gl, auth }, auth !== null) };
}
