// The GitLab token's own record (`GET /personal_access_tokens/self`): its scopes and expiry, as
// preflight and doctor both check them. GitLab before 15.5 has no such route, and OAuth tokens
// have no such record: both answer 404 although `/user` accepted the token, so a 404 (or any other
// failure here) is a warning and the run goes on — the token itself was already proven good.
import type { GitLabClient } from '../clients/gitlab/index.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import type { Clock } from '../clients/shared/clock.ts';
import { explainError } from './errors.ts';
import { tokenExpiryCheck } from './token-expiry.ts';

export interface TokenScopeCheck {
  check: 'gitlab.scopes' | 'gitlab.expiry';
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

export interface TokenScopesOptions {
  /** Whether the command writes hooks (needs `api`); otherwise `read_api` is enough. */
  hooks: boolean;
  clock: Pick<Clock, 'now'>;
}

/** Call only after `/user` accepted the token. */
export async function checkTokenScopes(gitlab: GitLabClient, o: TokenScopesOptions): Promise<{ scopes: string[]; checks: TokenScopeCheck[] }> {
  const needed = o.hooks ? 'api' : 'read_api';
  try {
    const info = await gitlab.tokenInfo();
    const scopes = info.scopes ?? [];
    const enough = scopes.includes('api') || (!o.hooks && scopes.includes('read_api'));
    const checks: TokenScopeCheck[] = [enough
      ? { check: 'gitlab.scopes', status: 'ok', message: `token scopes: ${scopes.join(', ')}` }
      : { check: 'gitlab.scopes', status: 'fail', message: `the token's scopes (${scopes.join(', ') || 'none'}) lack "${needed}"${o.hooks ? ', which creating hooks needs' : ''}`, fix: o.hooks ? 'create a token with the api scope, or run with --skip-hook (read_api is enough for the backfill)' : 'create a token with the read_api scope' }];
    const expiry = tokenExpiryCheck(info.expires_at, o.clock);
    if (expiry) checks.push(expiry);
    return { scopes, checks };
  } catch (err) {
    const message = err instanceof GitLabApiError && err.status === 404
      ? `GitLab answered 404 to GET /personal_access_tokens/self (GitLab before 15.5, or an OAuth token), so the token's scopes and expiry cannot be read; continuing`
      : `could not read the token's scopes (${explainError(err).message}); continuing`;
    return { scopes: [], checks: [{ check: 'gitlab.scopes', status: 'warn', message, fix: `make sure the token has the ${needed} scope` }] };
  }
}
