// Hook request bodies with every event flag explicit. gitbeaker 43.8's hook option types stop at
// `subgroupEvents`; GitLab accepts many more (gitlab.md §1.1), and an omitted flag keeps whatever
// the hook had, so the installer always sends all of them, snake_case on the wire.

/** Event flags of `POST/PUT /groups/:id/hooks` (group_hook_properties, gitlab.md §1.1). */
export const GROUP_HOOK_EVENT_FLAGS = [
  'push_events',
  'tag_push_events',
  'merge_requests_events',
  'issues_events',
  'confidential_issues_events',
  'note_events',
  'confidential_note_events',
  'job_events',
  'pipeline_events',
  'wiki_page_events',
  'deployment_events',
  'feature_flag_events',
  'releases_events',
  'subgroup_events',
  'member_events',
  'project_events',
  'emoji_events',
  'resource_access_token_events',
  'milestone_events',
  'vulnerability_events',
] as const;

/** Events only group hooks have (gitlab.md §1.2): project hooks reject these flags. */
export const GROUP_ONLY_HOOK_EVENT_FLAGS = ['subgroup_events', 'member_events', 'project_events'] as const;

/**
 * Event flags of `POST/PUT /projects/:id/hooks`: the group flags minus the group-only ones.
 * Newer flags (milestone, vulnerability) are ignored by servers that predate them.
 */
export const PROJECT_HOOK_EVENT_FLAGS = GROUP_HOOK_EVENT_FLAGS.filter(
  (f): f is Exclude<(typeof GROUP_HOOK_EVENT_FLAGS)[number], (typeof GROUP_ONLY_HOOK_EVENT_FLAGS)[number]> =>
    !(GROUP_ONLY_HOOK_EVENT_FLAGS as readonly string[]).includes(f),
);

export type GroupHookEvent = (typeof GROUP_HOOK_EVENT_FLAGS)[number];
export type ProjectHookEvent = (typeof PROJECT_HOOK_EVENT_FLAGS)[number];

/** Triggers accepted by `POST …/hooks/:hook_id/test/:trigger` (GitLab 17.1+). */
export type HookTestTrigger =
  | 'push_events' | 'tag_push_events' | 'issues_events' | 'confidential_issues_events' | 'note_events'
  | 'merge_requests_events' | 'job_events' | 'pipeline_events' | 'wiki_page_events' | 'releases_events'
  | 'emoji_events' | 'resource_access_token_events';

export interface HookSpec<E extends string = string> {
  url: string;
  /** Sent to the receiver as `X-Gitlab-Token`. GitLab never returns it, and resets it when the URL changes: always send it. */
  token: string;
  /** GitLab 17.1+; older servers ignore it. */
  name?: string;
  description?: string;
  /** Flags to turn on; every flag not listed is sent as false. */
  events: Partial<Record<E, boolean>>;
  pushEventsBranchFilter?: string;
  branchFilterStrategy?: 'wildcard' | 'regex' | 'all_branches';
  /** Default true. */
  enableSslVerification?: boolean;
}

/** The wire body (without `url`, which gitbeaker's add/edit take separately). */
export function hookBody<E extends string>(spec: HookSpec<E>, flags: readonly E[]): Record<string, string | boolean> {
  const unknown = Object.keys(spec.events).filter((k) => !(flags as readonly string[]).includes(k));
  if (unknown.length) {
    throw new Error(`Unknown hook event flag(s): ${unknown.join(', ')}. Valid flags: ${flags.join(', ')}`);
  }
  if (!spec.token) throw new Error('A hook needs a secret token (it becomes X-Gitlab-Token and must equal the Port webhook secret)');
  const body: Record<string, string | boolean> = { token: spec.token };
  for (const flag of flags) body[flag] = spec.events[flag] === true;
  if (spec.name !== undefined) body.name = spec.name;
  if (spec.description !== undefined) body.description = spec.description;
  if (spec.pushEventsBranchFilter !== undefined) body.push_events_branch_filter = spec.pushEventsBranchFilter;
  if (spec.branchFilterStrategy !== undefined) body.branch_filter_strategy = spec.branchFilterStrategy;
  body.enable_ssl_verification = spec.enableSslVerification ?? true;
  return body;
}
