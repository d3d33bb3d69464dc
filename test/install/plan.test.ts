// The install's plans on their own (no servers): blueprint merge rules, webhook comparison and
// secret handling, hook flags per option, and the output redactor.
import { describe, expect, test } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderWebhook } from '../../scripts/bundle/render.ts';
import type { StoredBlueprint, StoredWebhook } from '../../scripts/port/types.ts';
import { planBlueprints } from '../../scripts/install/blueprint-plan.ts';
import { planWebhook } from '../../scripts/install/webhook-plan.ts';
import { GROUP_HOOK_EVENT_FLAGS } from '../../scripts/clients/gitlab/index.ts';
import { desiredHookEvents, hookDifferences, hookSpec } from '../../scripts/install/hook-plan.ts';
import { SecretSet, redactingIO } from '../../scripts/install/io.ts';
import { recoverableSecret, secretFingerprint } from '../../scripts/install/webhook-secret.ts';
import { captureIO } from './helpers.ts';

const bundle = loadBundle();
const job = bundle.blueprints.find((b) => b.content.identifier === 'gitlabJob')!.content;
const meta = { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', createdBy: 'x', updatedBy: 'x' };

describe('blueprint plan', () => {
  test('new blueprints are created bare, relations in stage 2', () => {
    const plan = planBlueprints([job], []);
    expect(plan.items[0].action).toBe('create');
    expect(plan.items[0].stages.base).not.toHaveProperty('relations');
    expect(Object.keys(plan.items[0].stages.relations!.relations!)).toEqual(['pipeline', 'project']);
    expect(plan.items[0].stages.derived).toBeUndefined();
  });

  test('an identical blueprint (with Port\'s extra fields) is unchanged', () => {
    const stored = { ...structuredClone(job), ...meta } as StoredBlueprint;
    expect(planBlueprints([job], [stored])).toEqual({ items: [{ identifier: 'gitlabJob', action: 'unchanged', changes: [], stages: {} }], forbidden: [] });
  });

  test('merging keeps user properties, user enum values and user relations; adds ours', () => {
    const stored = { ...structuredClone(job), ...meta } as StoredBlueprint;
    delete stored.schema.properties.stage;
    stored.schema.properties.status.enum = [...stored.schema.properties.status.enum!, 'custom_state'];
    stored.schema.properties.status.enum = stored.schema.properties.status.enum.filter((v) => v !== 'canceling');
    stored.schema.properties.team = { type: 'string', title: 'Team' };
    stored.relations = { ...stored.relations, service: { target: 'service', required: false, many: false } };
    const plan = planBlueprints([job], [stored]);
    const item = plan.items[0];
    expect(item.action).toBe('update');
    expect(item.changes.map((c) => `${c.kind} ${c.path}`).sort()).toEqual(['add schema.properties.stage', 'update schema.properties.status']);
    const props = item.stages.base!.schema!.properties;
    expect(props.team).toEqual({ type: 'string', title: 'Team' });
    expect(props.status.enum).toContain('custom_state');
    expect(props.status.enum).toContain('canceling');
    expect(item.stages.relations).toBeUndefined(); // the user's extra relation needs no write
  });

  test('a type or format change, or a relation turning many, is forbidden before anything is sent', () => {
    const stored = { ...structuredClone(job), ...meta } as StoredBlueprint;
    stored.schema.properties.url = { type: 'string', title: 'URL' }; // no format
    stored.relations!.pipeline = { ...stored.relations!.pipeline, many: true };
    const plan = planBlueprints([job], [stored]);
    expect(plan.forbidden.map((f) => f.path).sort()).toEqual(['/relations/pipeline/many', '/schema/properties/url']);
    expect(plan.forbidden.find((f) => f.path === '/schema/properties/url')?.error).toBe('forbidden_format_change');
  });
});

describe('webhook plan and secret', () => {
  const stored = (options: Record<string, boolean>, secret: string): StoredWebhook => ({ ...renderWebhook(bundle, { options, secret }), webhookKey: 'k', url: 'http://127.0.0.1:1/ingest/k', ...meta });

  test('the secret Port gives back is kept; a masked one is rotated; a new webhook gets a fresh one', () => {
    const secret = 'a'.repeat(43);
    expect(planWebhook(bundle, { confidentialIssues: false }, stored({ confidentialIssues: false }, secret))).toMatchObject({ action: 'unchanged', secret, secretSource: 'kept' });
    const rotated = planWebhook(bundle, { confidentialIssues: false }, stored({ confidentialIssues: false }, '********'), { newSecret: () => 'b'.repeat(43) });
    expect(rotated).toMatchObject({ action: 'update', secret: 'b'.repeat(43), secretSource: 'rotated' });
    expect(rotated.diff.join('\n')).not.toContain('b'.repeat(43));
    expect(planWebhook(bundle, { confidentialIssues: false }, null, { newSecret: () => 'c'.repeat(43) })).toMatchObject({ action: 'create', secretSource: 'generated', secret: 'c'.repeat(43) });
    expect(recoverableSecret(null)).toBeUndefined();
    expect(recoverableSecret('short')).toBeUndefined();
  });

  test('turning INGEST_CONFIDENTIAL_ISSUES on changes the mappings, not the hook flags', () => {
    const secret = 'a'.repeat(43);
    const plan = planWebhook(bundle, { confidentialIssues: true }, stored({ confidentialIssues: false }, secret));
    expect(plan.action).toBe('update');
    expect(plan.diff.some((d) => d.startsWith('mappings[') && d.includes('gitlabIssue'))).toBe(true);
    expect(desiredHookEvents(bundle, { confidentialIssues: true })).toEqual(desiredHookEvents(bundle, { confidentialIssues: false }));
    expect(desiredHookEvents(bundle, { confidentialIssues: false })).toContain('confidential_issues_events'); // to delete issues that turn confidential
  });
});

describe('hooks', () => {
  test('a hook with our flags and the fingerprint of the secret needs no write; another secret does', () => {
    const events = desiredHookEvents(bundle, { confidentialIssues: false });
    const spec = hookSpec('group', 'http://127.0.0.1:1/ingest/k', 's'.repeat(43), events, 'gitlabIntegration');
    // As GitLab renders it: every flag reported, ours on, the rest off.
    const flags = Object.fromEntries(GROUP_HOOK_EVENT_FLAGS.map((f) => [f, events.includes(f)]));
    const existing = { id: 1, url: spec.url, name: spec.name, description: spec.description, ...flags, alert_status: 'executable' };
    expect(hookDifferences(existing, spec, 'group')).toEqual([]);
    const other = hookSpec('group', spec.url, 'o'.repeat(43), events, 'gitlabIntegration');
    expect(hookDifferences(existing, other, 'group')).toEqual(['token: differs from the webhook secret']);
    expect(spec.description).toContain(secretFingerprint('s'.repeat(43)));
    expect(spec.description).not.toContain('s'.repeat(43));
    expect(hookDifferences({ ...existing, pipeline_events: false }, spec, 'group')).toEqual(['pipeline_events: false → true']);
  });
});

test('the output redactor removes every known secret, including tokens learned during the run', () => {
  const secrets = new SecretSet();
  const learned: string[] = [];
  secrets.add('glpat-abcdefghijklmnop');
  secrets.addSource(() => learned);
  const c = captureIO({});
  const io = redactingIO(c.io, secrets);
  learned.push('eyJhbGciOiJIUzI1NiJ9.port-access-token');
  io.stderr('GitLab said glpat-abcdefghijklmnop is bad; Port token eyJhbGciOiJIUzI1NiJ9.port-access-token; Authorization: Bearer abcdefghijkl\n');
  expect(c.err()).toBe('GitLab said [REDACTED] is bad; Port token [REDACTED]; Authorization: Bearer [REDACTED]\n');
});
