/**
 * Group and project webhooks: parameters accepted by `POST/PUT /groups/:id/hooks` and
 * `/projects/:id/hooks`, the response object (never the secret `token`), and GitLab's
 * auto-disable rules — 4 consecutive failures disable the hook temporarily (1 minute backoff,
 * doubling per further failure, at most 24 hours), 40 disable it permanently; a success resets.
 */
import { restTime } from './format.ts';

export type HookKind = 'group' | 'project';

export const PROJECT_HOOK_FLAGS = [
  'push_events', 'tag_push_events', 'merge_requests_events', 'issues_events', 'confidential_issues_events',
  'note_events', 'confidential_note_events', 'job_events', 'pipeline_events', 'wiki_page_events', 'deployment_events',
  'feature_flag_events', 'releases_events', 'emoji_events', 'resource_access_token_events', 'milestone_events',
  'vulnerability_events',
] as const;
export const GROUP_HOOK_FLAGS = [
  ...PROJECT_HOOK_FLAGS, 'repository_update_events', 'subgroup_events', 'member_events', 'project_events',
] as const;
export type HookFlag = (typeof GROUP_HOOK_FLAGS)[number];

const STRING_PARAMS = ['name', 'description', 'push_events_branch_filter', 'branch_filter_strategy', 'custom_webhook_template'] as const;

export type HookRec = {
  id: number;
  kind: HookKind;
  ownerId: number;
  url: string;
  token: string | null;
  flags: Record<string, boolean>;
  strings: Record<string, string | null>;
  enableSslVerification: boolean;
  customHeaders: { key: string; value: string }[];
  urlVariables: { key: string; value: string }[];
  createdAt: number;
  recentFailures: number;
  backoffCount: number;
  disabledUntil: number | null;
  permanentlyDisabled: boolean;
};

export const FAILURE_THRESHOLD = 4;
export const PERMANENT_FAILURE_THRESHOLD = 40;
const INITIAL_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 24 * 3_600_000;

export type ParamError = { status: 400 | 422; body: unknown };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function validateUrl(raw: unknown): string | ParamError {
  if (typeof raw !== 'string' || raw.trim() === '') return { status: 400, body: { error: 'url is missing' } };
  let u: URL;
  try { u = new URL(raw); } catch { return { status: 422, body: { message: { url: ['is blocked: URI is invalid'] } } }; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { status: 422, body: { message: { url: ['is blocked: Only allowed schemes are http, https'] } } };
  // The sandbox never contacts anything but loopback; the message says why the URL is refused.
  if (!LOOPBACK_HOSTS.has(u.hostname)) {
    return { status: 422, body: { message: { url: [`is blocked: the local GitLab sandbox delivers webhooks to loopback addresses only (127.0.0.1, ::1, localhost), got host "${u.hostname}"`] } } };
  }
  return u.href;
}

function toBool(name: string, v: unknown): boolean | ParamError {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  return { status: 400, body: { error: `${name} is invalid` } };
}

function isError(v: unknown): v is ParamError {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}

function pairs(name: string, v: unknown): { key: string; value: string }[] | ParamError {
  if (!Array.isArray(v)) return { status: 400, body: { error: `${name} is invalid` } };
  const out: { key: string; value: string }[] = [];
  for (const item of v) {
    if (typeof item !== 'object' || item === null || typeof (item as { key?: unknown }).key !== 'string') {
      return { status: 400, body: { error: `${name}[key] is missing` } };
    }
    out.push({ key: (item as { key: string }).key, value: String((item as { value?: unknown }).value ?? '') });
  }
  return out;
}

export class HookStore {
  private readonly hooks = new Map<number, HookRec>();
  private nextId = 1;

  list(kind: HookKind, ownerId: number): HookRec[] {
    return [...this.hooks.values()].filter((h) => h.kind === kind && h.ownerId === ownerId);
  }
  get(kind: HookKind, ownerId: number, id: number): HookRec | null {
    const h = this.hooks.get(id);
    return h && h.kind === kind && h.ownerId === ownerId ? h : null;
  }
  all(): HookRec[] { return [...this.hooks.values()]; }

  /** Applies POST/PUT params to a hook; `existing` undefined = create. Returns the hook or an API error. */
  apply(kind: HookKind, ownerId: number, params: Record<string, unknown>, now: number, existing?: HookRec): HookRec | ParamError {
    const flags = kind === 'group' ? GROUP_HOOK_FLAGS : PROJECT_HOOK_FLAGS;
    let url = existing?.url;
    let token = existing?.token ?? null;
    if (!existing || params.url !== undefined) {
      const checked = validateUrl(params.url);
      if (isError(checked)) return checked;
      // GitLab: changing the URL resets the secret token unless a new one is sent.
      if (existing && checked !== existing.url) token = null;
      url = checked;
    }
    const next: HookRec = existing ? { ...existing, flags: { ...existing.flags }, strings: { ...existing.strings } } : {
      id: 0, kind, ownerId, url: url!, token: null,
      flags: Object.fromEntries(flags.map((f) => [f, f === 'push_events'])),
      strings: { name: null, description: null, push_events_branch_filter: null, branch_filter_strategy: 'wildcard', custom_webhook_template: null },
      enableSslVerification: true, customHeaders: [], urlVariables: [], createdAt: now,
      recentFailures: 0, backoffCount: 0, disabledUntil: null, permanentlyDisabled: false,
    };
    next.url = url!;
    next.token = token;
    for (const f of flags) {
      if (params[f] === undefined) continue;
      const b = toBool(f, params[f]);
      if (isError(b)) return b;
      next.flags[f] = b;
    }
    for (const s of STRING_PARAMS) {
      if (params[s] === undefined) continue;
      if (params[s] !== null && typeof params[s] !== 'string') return { status: 400, body: { error: `${s} is invalid` } };
      next.strings[s] = params[s] as string | null;
    }
    if (params.branch_filter_strategy !== undefined && !['wildcard', 'regex', 'all_branches'].includes(String(params.branch_filter_strategy))) {
      return { status: 400, body: { error: 'branch_filter_strategy does not have a valid value' } };
    }
    if (params.enable_ssl_verification !== undefined) {
      const b = toBool('enable_ssl_verification', params.enable_ssl_verification);
      if (isError(b)) return b;
      next.enableSslVerification = b;
    }
    if (params.token !== undefined) {
      if (params.token !== null && typeof params.token !== 'string') return { status: 400, body: { error: 'token is invalid' } };
      next.token = params.token ? String(params.token) : null;
    }
    for (const [param, field] of [['custom_headers', 'customHeaders'], ['url_variables', 'urlVariables']] as const) {
      if (params[param] === undefined) continue;
      const p = pairs(param, params[param]);
      if (isError(p)) return p;
      next[field] = p;
    }
    if (!existing) next.id = this.nextId++;
    this.hooks.set(next.id, next);
    return next;
  }

  delete(id: number): void { this.hooks.delete(id); }
  deleteOwnedBy(kind: HookKind, ownerId: number): void {
    for (const h of this.list(kind, ownerId)) this.hooks.delete(h.id);
  }

  /** Whether GitLab would execute the hook now (not temporarily or permanently disabled). */
  executable(h: HookRec, now: number): boolean {
    return this.alertStatus(h, now) === 'executable';
  }

  recordSuccess(h: HookRec): void {
    h.recentFailures = 0;
    h.backoffCount = 0;
    h.disabledUntil = null;
    h.permanentlyDisabled = false;
  }

  recordFailure(h: HookRec, now: number): void {
    if (h.permanentlyDisabled) return;
    h.recentFailures++;
    if (h.recentFailures >= PERMANENT_FAILURE_THRESHOLD) {
      h.permanentlyDisabled = true;
      h.disabledUntil = null;
    } else if (h.recentFailures >= FAILURE_THRESHOLD) {
      h.backoffCount++;
      h.disabledUntil = now + Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (h.backoffCount - 1));
    }
  }

  alertStatus(h: HookRec, now: number): 'executable' | 'temporarily_disabled' | 'disabled' {
    if (h.permanentlyDisabled) return 'disabled';
    if (h.disabledUntil !== null && h.disabledUntil > now) return 'temporarily_disabled';
    return 'executable';
  }

  /** The REST object: GitLab never returns `token`; custom header values are masked. */
  render(h: HookRec, now: number): Record<string, unknown> {
    const status = this.alertStatus(h, now);
    const flags = h.kind === 'group' ? GROUP_HOOK_FLAGS : PROJECT_HOOK_FLAGS;
    return {
      id: h.id, url: h.url, name: h.strings.name, description: h.strings.description,
      [h.kind === 'group' ? 'group_id' : 'project_id']: h.ownerId, created_at: restTime(h.createdAt),
      ...Object.fromEntries(flags.map((f) => [f, h.flags[f]])),
      push_events_branch_filter: h.strings.push_events_branch_filter, branch_filter_strategy: h.strings.branch_filter_strategy,
      enable_ssl_verification: h.enableSslVerification, alert_status: status,
      disabled_until: status === 'temporarily_disabled' ? restTime(h.disabledUntil!) : null,
      url_variables: h.urlVariables.map((v) => ({ key: v.key })), custom_webhook_template: h.strings.custom_webhook_template,
      custom_headers: h.customHeaders.map((c) => ({ key: c.key })),
    };
  }
}

export { isError as isParamError };
