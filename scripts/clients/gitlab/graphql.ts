// GitLab's GraphQL API (`POST /api/graphql`) through the client's transport: the same token,
// retries, `Retry-After` and client-side rate limits as REST. GitLab answers a query it cannot
// run with HTTP 200 and `{errors: [{message, …}]}` (parse and validation errors, complexity or
// depth over the limit, a bad cursor): that is thrown here as a GitLabGraphQLError.
import type { GitLabClient } from './client.ts';

export interface GraphQLErrorItem {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

export class GitLabGraphQLError extends Error {
  constructor(readonly errors: GraphQLErrorItem[]) {
    super(`GitLab's GraphQL API refused the query: ${errors.map((e) => e.message + (e.path ? ` (at ${e.path.join('.')})` : '')).join('; ')}`);
    this.name = 'GitLabGraphQLError';
  }
}

/** Runs one query; returns its `data`, or throws (HTTP errors as GitLabApiError, `errors` as GitLabGraphQLError). */
export async function graphqlQuery<T>(gitlab: GitLabClient, query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const res = await gitlab.request<{ data?: T | null; errors?: GraphQLErrorItem[] }>({ method: 'POST', graphql: true, body: { query, variables }, ...(signal ? { signal } : {}) });
  const body = res.body;
  if (body?.errors?.length) throw new GitLabGraphQLError(body.errors);
  if (!body || body.data === undefined || body.data === null) throw new GitLabGraphQLError([{ message: 'the answer had no data' }]);
  return body.data;
}
