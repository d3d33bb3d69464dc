// Errors of the install steps, and the one place that turns any thrown value into a message a
// user can act on (what failed, where, how to fix it). Messages are redacted again on output.
import { PortApiError, PortRequestSchemaError } from '../clients/port/errors.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';

export type InstallStep = 'inputs' | 'preflight' | 'plan' | 'blueprints' | 'scorecards' | 'pages' | 'webhook' | 'hooks' | 'backfill' | 'uninstall' | 'doctor';

export class InstallStepError extends Error {
  constructor(
    readonly step: InstallStep,
    message: string,
    readonly fix?: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'InstallStepError';
  }
}

/** A one-paragraph explanation of `err` with a fix where we know one. */
export function explainError(err: unknown): { message: string; fix?: string } {
  if (err instanceof InstallStepError) return { message: err.message, fix: err.fix };
  if (err instanceof PortApiError) {
    if (err.status === 401) return { message: err.message, fix: 'check PORT_CLIENT_ID and PORT_CLIENT_SECRET (Port → Settings → Credentials) and that PORT_API_URL is your region (--port-region eu|us)' };
    if (err.status === 403) return { message: err.message, fix: 'the Port credentials need the Admin role (webhooks need moderator or admin); use an organisation credential set' };
    if (err.code === 'forbidden_format_change') {
      const prop = (err.details as { property?: string } | undefined)?.property;
      return { message: err.message, fix: `Port does not allow changing a property's type or format${prop ? ` ("${prop}")` : ''}; rename or delete that property in Port (its values are lost) or migrate it, then run again` };
    }
    if (err.status === 0) return { message: err.message, fix: 'check PORT_API_URL and the network; the run can be repeated safely' };
    return { message: err.message };
  }
  if (err instanceof PortRequestSchemaError) return { message: err.message, fix: 'this is a bug in the bundle or installer; run `port-gitlab validate`' };
  if (err instanceof GitLabApiError) {
    if (err.status === 401) return { message: err.message, fix: 'GITLAB_TOKEN was rejected (expired, revoked or mistyped); create a new token and run again — the run is safe to repeat' };
    if (err.status === 403) return { message: err.message, fix: 'the token needs the api scope and the Owner role on each group for group hooks (Maintainer on each project for project hooks)' };
    if (err.code === 'invalid_header_value') return { message: err.message, fix: 'set GITLAB_TOKEN to the token exactly as GitLab shows it' };
    if (err.status === 0) return { message: err.message, fix: 'check GITLAB_URL and the network; the run can be repeated safely' };
    return { message: err.message };
  }
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}

export function formatError(err: unknown): string {
  const { message, fix } = explainError(err);
  return fix ? `${message}\n  fix: ${fix}` : message;
}
