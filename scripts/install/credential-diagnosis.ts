// What a failed first request to Port or GitLab means, named for its real cause: the service
// could not be reached, the URL answers but is not that service's API, the service is down, or
// it refused the credentials. Only the last is "rejected the credentials" (issue 12 §6).
import { PORT_REGIONS } from '../clients/port/region.ts';
import { PortApiError } from '../clients/port/errors.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import { explainError } from './errors.ts';

export interface Diagnosis {
  message: string;
  fix: string;
}

const PORT_URL_FIX = `set PORT_API_URL to Port's API, ${PORT_REGIONS.eu} (EU) or ${PORT_REGIONS.us} (US), or use --port-region eu|us (not the address of Port's web app)`;

/** Why Port's access-token request (`port.authenticate()`) failed. */
export function portAuthFailure(err: unknown, baseUrl: string): Diagnosis {
  const detail = explainError(err).message;
  if (!(err instanceof PortApiError)) return { message: `could not get a Port access token from ${baseUrl}: ${detail}`, fix: 'check PORT_API_URL and the network' };
  if (err.status === 0) {
    return { message: `Port could not be reached at ${baseUrl}: ${detail}`, fix: `check PORT_API_URL (${baseUrl}) and the network (DNS, proxy, firewall); Port's API is ${PORT_REGIONS.eu} (EU) or ${PORT_REGIONS.us} (US)` };
  }
  if (err.status === 429 || err.status >= 500) {
    return { message: `Port at ${baseUrl} is unavailable (${err.status}): ${detail}`, fix: 'try again in a few minutes; nothing was written' };
  }
  // Port answers a refused credential with its own error body ({ok: false, error, message});
  // any other answer (a 404 page, HTML, a body without a token) is from something that is not Port.
  const portShaped = !err.code.startsWith('http_') && err.code !== 'invalid_token_response';
  if (portShaped && (err.status === 401 || err.status === 403 || err.status === 422)) {
    return { message: `Port rejected the credentials at ${baseUrl}: ${detail}`, fix: 'check PORT_CLIENT_ID and PORT_CLIENT_SECRET (Port → Settings → Credentials; use an organisation credential set) and the region: PORT_API_URL or --port-region eu|us' };
  }
  return { message: `${baseUrl} does not answer as Port's API (POST /v1/auth/access_token: ${err.status} ${err.code === 'invalid_token_response' ? 'without an access token' : err.portMessage})`, fix: PORT_URL_FIX };
}

/** Why GitLab's first request with the token (`GET /user`) failed. */
export function gitlabTokenFailure(err: unknown, host: string, scope: 'api' | 'read_api' = 'api'): Diagnosis {
  const detail = explainError(err).message;
  if (err instanceof GitLabApiError) {
    if (err.status === 401) {
      return { message: `GitLab at ${host} rejected GITLAB_TOKEN (401): it is expired, revoked or mistyped`, fix: `create a personal, group or service-account access token with the ${scope} scope (GitLab → Settings → Access tokens) and set GITLAB_TOKEN` };
    }
    if (err.code === 'invalid_header_value') return { message: err.gitlabMessage, fix: 'set GITLAB_TOKEN to the token exactly as GitLab shows it' };
    if (err.status === 403) {
      return { message: `GitLab at ${host} refused to show the token's user (403 ${err.gitlabMessage}): the token lacks the scope for it`, fix: `give the token the ${scope} scope (GitLab → Settings → Access tokens) and set GITLAB_TOKEN` };
    }
    if (err.status === 429 || err.status >= 500) return { message: `GitLab at ${host} is unavailable (${err.status}): ${detail}`, fix: 'try again in a few minutes; nothing was written' };
    if (err.status !== 0) {
      return { message: `${host} does not answer as GitLab's API (GET /api/v4/user: ${err.status} ${err.gitlabMessage})`, fix: 'set GITLAB_URL to the root of your GitLab instance, e.g. https://gitlab.com or https://gitlab.example.com (without /api/v4)' };
    }
  }
  return { message: `GitLab at ${host} could not be reached: ${detail}`, fix: 'check GITLAB_URL and the network (DNS, proxy, firewall)' };
}
