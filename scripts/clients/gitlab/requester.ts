// gitbeaker `requesterFn` backed by our transport: every gitbeaker resource method (Groups,
// GroupHooks, Users, …) gets our retries, Retry-After handling, shared rate limits and typed
// errors, while keeping gitbeaker's request/response conventions (decamelized params and bodies,
// `{body, headers, status}` results).
import type { Gitlab } from '@gitbeaker/rest';
import { decamelizeKeys, formatQuery } from './query.ts';
import type { GitLabMethod, GitLabTransport } from './transport.ts';

type GitlabOptions = NonNullable<ConstructorParameters<typeof Gitlab>[0]>;
/** gitbeaker's `requesterFn` type, taken from the constructor so no transitive package is imported. */
export type GitbeakerRequesterFn = NonNullable<GitlabOptions['requesterFn']>;
type ResourceOptions = Parameters<GitbeakerRequesterFn>[0];
type Requester = ReturnType<GitbeakerRequesterFn>;

interface GitbeakerCallOptions {
  body?: FormData | Record<string, unknown>;
  searchParams?: Record<string, unknown>;
  sudo?: string | number;
  asStream?: boolean;
  signal?: AbortSignal;
}

export function createRequesterFn(transport: GitLabTransport): GitbeakerRequesterFn {
  return (resource: ResourceOptions) => {
    const call = (method: GitLabMethod) => async (endpoint: string, options?: GitbeakerCallOptions) => {
      const headers: Record<string, string> = { ...(resource.headers ?? {}) };
      if (options?.sudo !== undefined) headers.sudo = String(options.sudo);
      let body: unknown;
      if (options?.body instanceof FormData) body = options.body;
      else if (options?.body && Object.keys(options.body).length > 0) body = decamelizeKeys(options.body);
      // `resource.url` is host/api/v4/<prefix>; the endpoint is relative to it.
      const prefix = resource.url.replace(/^.*?\/api\/v4\/?/, '');
      const path = [prefix, endpoint].filter(Boolean).join('/').replace(/\/{2,}/g, '/');
      const res = await transport.request({
        method,
        path,
        query: formatQuery(options?.searchParams),
        body,
        headers,
        signal: options?.signal,
        asStream: options?.asStream,
      });
      return res as never;
    };
    const requester: Requester = {
      get: call('GET'),
      post: call('POST'),
      put: call('PUT'),
      patch: call('PATCH'),
      delete: call('DELETE'),
    } as Requester;
    return requester;
  };
}
