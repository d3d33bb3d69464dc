// The GitLab hooks the install wants: one per listed top-level group (never on subgroups: GitLab
// would deliver every event twice), or one per project where group hooks are unavailable and
// --project-hooks was given. A hook is ours when its URL is the webhook's ingest URL (or, after
// the webhook was recreated, when it carries our name). Every event flag is sent explicitly.
import type { Bundle } from '../bundle/load.ts';
import type { BundleOptions } from '../bundle/render.ts';
import { GROUP_HOOK_EVENT_FLAGS, PROJECT_HOOK_EVENT_FLAGS, type GitLabClient, type GitLabHook, type HookSpec } from '../clients/gitlab/index.ts';
import type { PreflightGroup } from './preflight.ts';
import { secretFingerprint } from './webhook-secret.ts';
import { formatRefusals, type HookRefusal } from './hook-refusal.ts';
import { readProjectHooksOf } from './project-hooks-read.ts';
import type { HookTarget } from './hook-target.ts';
import { HOOK_NAME, findOurHook, splitOurHooks, type HookOwnerHints } from './hooks-repair.ts';

export type { HookTarget };
export { HOOK_NAME, findOurHook };

/** Flags only group hooks have; project hooks cannot carry these events. */
export const GROUP_ONLY_FLAGS = GROUP_HOOK_EVENT_FLAGS.filter((f) => !(PROJECT_HOOK_EVENT_FLAGS as readonly string[]).includes(f));

export interface HookPlanItem {
  target: HookTarget;
  action: 'create' | 'update' | 'unchanged';
  reasons: string[];
  existing?: GitLabHook;
  /** Other hooks at our URL on the same target (the lowest id is `existing`): removed when applied. */
  duplicates: GitLabHook[];
}

export interface HookPlan {
  /** The ingest URL hooks point at (undefined in a dry run before the webhook exists). */
  url?: string;
  events: string[];
  items: HookPlanItem[];
  /** Projects whose hooks GitLab would not let us read (no Maintainer role, deleted since listed): no item. */
  refused: HookRefusal[];
  notes: string[];
}

function gateOpen(when: string | undefined, options: BundleOptions): boolean {
  if (!when) return true;
  return when.startsWith('!') ? !options[when.slice(1)] : options[when] === true;
}

/** The hook flags of every event file that has at least one mapping for these options. */
export function desiredHookEvents(bundle: Bundle, options: BundleOptions): string[] {
  const flags = new Set<string>();
  for (const e of bundle.events) {
    if (e.content.mappings.some((m) => gateOpen(m.when, options))) for (const f of e.content.hookEvents) flags.add(f);
  }
  return [...flags].sort();
}

export function hookDescription(webhookIdentifier: string, secret: string): string {
  return `Sends GitLab events to the Port webhook "${webhookIdentifier}". Managed by port-gitlab-template; token fingerprint ${secretFingerprint(secret)}.`;
}

/** The fingerprint hookDescription wrote into a description, if any. */
function fingerprintIn(description: string | null | undefined): string | undefined {
  return /token fingerprint ([0-9a-f]+)/.exec(description ?? '')?.[1];
}

export function hookSpec(kind: 'group' | 'project', url: string, secret: string, events: readonly string[], webhookIdentifier: string): HookSpec<string> {
  const flags: readonly string[] = kind === 'group' ? GROUP_HOOK_EVENT_FLAGS : PROJECT_HOOK_EVENT_FLAGS;
  return {
    url,
    token: secret,
    name: HOOK_NAME,
    description: hookDescription(webhookIdentifier, secret),
    events: Object.fromEntries(events.filter((e) => flags.includes(e)).map((e) => [e, true])),
  };
}

/** Why an existing hook differs from the spec (empty: nothing to send). */
export function hookDifferences(existing: GitLabHook, spec: HookSpec<string>, kind: 'group' | 'project'): string[] {
  const reasons: string[] = [];
  if (existing.url !== spec.url) reasons.push(`url: ${existing.url} → ${spec.url}`);
  const flags: readonly string[] = kind === 'group' ? GROUP_HOOK_EVENT_FLAGS : PROJECT_HOOK_EVENT_FLAGS;
  for (const flag of flags) {
    // A flag the server does not report is one it does not support (older GitLab): nothing to compare.
    if (typeof existing[flag] !== 'boolean') continue;
    const want = spec.events[flag] === true;
    if (existing[flag] !== want) reasons.push(`${flag}: ${existing[flag]} → ${want}`);
  }
  if (existing.name !== spec.name) reasons.push(`name: ${JSON.stringify(existing.name ?? null)} → ${JSON.stringify(spec.name)}`);
  if (existing.description !== spec.description) {
    const fp = fingerprintIn(existing.description);
    const want = fingerprintIn(spec.description);
    reasons.push(fp && fp !== want ? 'token: differs from the webhook secret' : fp ? 'description' : 'token: not known to match the webhook secret');
  }
  if (existing.enable_ssl_verification === false && spec.enableSslVerification !== false) reasons.push('enable_ssl_verification: false → true');
  return reasons;
}

/**
 * The event flags of a hook of ours that differ from what the bundle maps (`flag: have → want`):
 * GitLab sends nothing for a flag that is off, so those changes reach Port only by a sync. What
 * doctor and sync both report.
 */
export function eventFlagDrift(hook: GitLabHook, kind: 'group' | 'project', events: readonly string[]): string[] {
  return hookDifferences(hook, hookSpec(kind, hook.url, '', events, ''), kind).filter((r) => /_events:/.test(r));
}

export interface PlanHooksOptions extends HookOwnerHints {
  url?: string;
  secret: string;
  events: readonly string[];
  webhookIdentifier: string;
}

export async function planHooks(gitlab: GitLabClient, groups: readonly PreflightGroup[], opts: PlanHooksOptions): Promise<HookPlan> {
  const plan: HookPlan = { url: opts.url, events: [...opts.events], items: [], refused: [], notes: [] };
  const itemFor = (target: HookTarget, hooks: readonly GitLabHook[], kind: 'group' | 'project'): HookPlanItem => {
    const { hook: existing, duplicates } = splitOurHooks(hooks, opts.url, opts);
    if (!existing) return { target, action: 'create', reasons: ['no hook of ours yet'], duplicates };
    if (!opts.url) return { target, action: 'update', reasons: ['url: → the new webhook URL'], existing, duplicates };
    const reasons = hookDifferences(existing, hookSpec(kind, opts.url, opts.secret, opts.events, opts.webhookIdentifier), kind);
    return { target, action: reasons.length ? 'update' : 'unchanged', reasons, existing, duplicates };
  };
  for (const g of groups) {
    if (g.hookMode === 'group') {
      plan.items.push(itemFor({ kind: 'group', id: g.id, path: g.full_path, group: g.full_path }, g.groupHooks ?? [], 'group'));
    } else if (g.hookMode === 'project') {
      const lost = opts.events.filter((e) => (GROUP_ONLY_FLAGS as readonly string[]).includes(e));
      if (lost.length) plan.notes.push(`"${g.full_path}": project hooks cannot carry ${lost.join(', ')}; those changes reach Port only through a backfill`);
      for (const p of await readProjectHooksOf(gitlab, { id: g.id, full_path: g.full_path })) {
        if (p.refusal) plan.refused.push(p.refusal);
        else plan.items.push(itemFor(p.target, p.hooks, 'project'));
      }
    }
  }
  return plan;
}

export function formatHookPlan(plan: HookPlan): string {
  const lines = plan.items.map((i) => {
    const sign = i.action === 'create' ? '+' : i.action === 'update' ? '~' : '=';
    const head = `  ${sign} ${i.target.kind} hook on ${i.target.path}${i.existing ? ` (id ${i.existing.id})` : ''}: ${i.action}`;
    const lines = i.action === 'update' ? [head, ...i.reasons.map((r) => `      ${r}`)] : [head];
    for (const d of i.duplicates) lines.push(`  - duplicate ${i.target.kind} hook on ${i.target.path} (id ${d.id}, same URL): delete — GitLab would deliver every event to Port once more through it`);
    return lines.join('\n');
  });
  lines.push(...formatRefusals(plan.refused, 'plan'));
  for (const n of plan.notes) lines.push(`  ! ${n}`);
  if (!plan.items.length && !plan.refused.length) lines.push('  (no hooks)');
  return lines.join('\n');
}
