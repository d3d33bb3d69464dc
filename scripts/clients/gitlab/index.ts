// Public surface of the GitLab access layer.
export { GitLabClient, DEFAULT_GITLAB_RATE_LIMITS, DEFAULT_GITLAB_RETRY } from './client.ts';
export type { GitLabClientOptions, GitLabHook, GitLabVersion, GitLabTokenInfo, GitLabId } from './client.ts';
export { GitLabApiError } from './errors.ts';
export { GitLabTransport } from './transport.ts';
export type { GitLabRequest, GitLabResponse, GitLabRetryEvent, GitLabMethod } from './transport.ts';
export { pages, parseLinkHeader } from './paginate.ts';
export type { PageOptions, QueryParams } from './paginate.ts';
export { GROUP_HOOK_EVENT_FLAGS, PROJECT_HOOK_EVENT_FLAGS, hookBody } from './hooks.ts';
export type { GroupHookEvent, ProjectHookEvent, HookSpec, HookTestTrigger } from './hooks.ts';
export { createRequesterFn } from './requester.ts';
export { resolveGitLabHost, DEFAULT_GITLAB_URL } from './host.ts';
export { SlidingWindowLimiter, EndpointRateLimits, globToRegExp } from './rate-limiter.ts';
export { graphqlQuery, GitLabGraphQLError } from './graphql.ts';
export type { GraphQLErrorItem } from './graphql.ts';
