// Errors from the GitLab access layer: what failed and why, never the token or request headers.

export interface GitLabApiErrorInit {
  /** HTTP status; 0 when no response arrived. */
  status: number;
  method: string;
  /** Path under /api/v4 (with query), e.g. `groups/42/hooks`. */
  path: string;
  message: string;
  attempts: number;
  /** Short machine-readable reason: `http_404`, `network_error`, `rate_limited`, `timeout`, … */
  code: string;
  hint?: string;
  /** What GitLab asked us to wait, when it did. */
  retryAfterMs?: number;
}

export class GitLabApiError extends Error {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly code: string;
  readonly gitlabMessage: string;
  readonly retryAfterMs?: number;

  constructor(init: GitLabApiErrorInit) {
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : '';
    const what = init.status ? `${init.status}` : init.code;
    super(`GitLab API ${init.method} ${init.path} failed${tries}: ${what}: ${init.message}${init.hint ? ` — ${init.hint}` : ''}`);
    this.name = 'GitLabApiError';
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    this.code = init.code;
    this.gitlabMessage = init.message;
    this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, status: this.status, code: this.code, method: this.method, path: this.path, message: this.gitlabMessage, attempts: this.attempts, retryAfterMs: this.retryAfterMs };
  }
}
