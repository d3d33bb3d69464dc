// The Port webhook the install wants (the bundle's render, with the run's secret) compared with
// the one Port has. The secret is reused when Port gives it back, else generated (first install)
// or rotated (Port does not return it) — in which case every hook must get the new one too.
import type { Bundle } from '../bundle/load.ts';
import { MASKED_SECRET, renderWebhook, type BundleOptions } from '../bundle/render.ts';
import type { StoredWebhook, Webhook, WebhookMapping } from '../port/types.ts';
import { jsonEqual } from './blueprint-plan.ts';
import { generateSecret, recoverableSecret } from './webhook-secret.ts';

export type SecretSource = 'kept' | 'generated' | 'rotated';

export interface WebhookPlan {
  identifier: string;
  action: 'create' | 'update' | 'unchanged';
  /** Human-readable differences (never the secret). */
  diff: string[];
  secret: string;
  secretSource: SecretSource;
  /** The full body to send (POST on create, PUT on update). */
  body: Webhook & { identifier: string };
  existing: StoredWebhook | null;
}

function describeMapping(m: WebhookMapping | undefined): string {
  if (!m) return '(none)';
  const op = typeof m.operation === 'object' ? m.operation.type : m.operation ?? 'create';
  const filter = (m.filter ?? 'true').replace(/\s+/g, ' ');
  return `${op} ${m.blueprint} when ${filter.length > 70 ? `${filter.slice(0, 67)}…` : filter}`;
}

function mappingDiff(before: readonly WebhookMapping[], after: readonly WebhookMapping[]): string[] {
  const out: string[] = [];
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    if (jsonEqual(before[i], after[i])) continue;
    if (!before[i]) out.push(`mappings[${i}]: + ${describeMapping(after[i])}`);
    else if (!after[i]) out.push(`mappings[${i}]: - ${describeMapping(before[i])}`);
    else out.push(`mappings[${i}]: ~ ${describeMapping(after[i])}`);
  }
  return out;
}

export function planWebhook(bundle: Bundle, options: BundleOptions, existing: StoredWebhook | null, opts: { dryRun?: boolean; newSecret?: () => string; identifier?: string; description?: string } = {}): WebhookPlan {
  const newSecret = opts.newSecret ?? generateSecret;
  const kept = recoverableSecret(existing?.security?.secret);
  const secretSource: SecretSource = kept ? 'kept' : existing ? 'rotated' : 'generated';
  // A dry run never needs the real value; it must not invent one either (it would be reported as a change).
  const secret = kept ?? (opts.dryRun ? MASKED_SECRET : newSecret());
  // The install's own identifier (install-webhook.ts) and description (its GitLab instance); the bundle's when none is given.
  const body = { ...renderWebhook(bundle, { options, secret }), ...(opts.identifier ? { identifier: opts.identifier } : {}), ...(opts.description ? { description: opts.description } : {}) };
  const identifier = body.identifier;
  if (!existing) return { identifier, action: 'create', diff: ['create the webhook', 'security.secret: generated'], secret, secretSource, body, existing };

  const diff: string[] = [];
  const e = existing as unknown as Record<string, unknown>;
  const b = body as unknown as Record<string, unknown>;
  for (const k of ['title', 'description', 'icon', 'enabled', 'integrationType'] as const) {
    if (b[k] !== undefined && !jsonEqual(b[k], e[k])) diff.push(`${k}: ${JSON.stringify(e[k])} → ${JSON.stringify(b[k])}`);
  }
  const have = (existing.security ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body.security ?? {})) {
    if (k === 'secret') continue;
    if (!jsonEqual(v ?? null, have[k] ?? null)) diff.push(`security.${k}: ${JSON.stringify(have[k] ?? null)} → ${JSON.stringify(v)}`);
  }
  if (secretSource === 'rotated') diff.push('security.secret: rotated (Port does not return the current one; the GitLab hooks get the new one too)');
  diff.push(...mappingDiff(existing.mappings ?? [], body.mappings ?? []));
  return { identifier, action: diff.length ? 'update' : 'unchanged', diff, secret, secretSource, body, existing };
}

export function formatWebhookPlan(plan: WebhookPlan): string {
  if (plan.action === 'unchanged') return `  = webhook ${plan.identifier} (unchanged)`;
  return [`  ${plan.action === 'create' ? '+' : '~'} webhook ${plan.identifier} (${plan.action})`, ...plan.diff.map((d) => `      ${d}`)].join('\n');
}
