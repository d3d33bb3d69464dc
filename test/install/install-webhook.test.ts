// The pieces that keep installs apart, on their own (no servers): each install's webhook identifier
// (Port: at most 30 characters), which hooks are an install's, and the instance a webhook records.
import { describe, expect, test } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { installIdOf } from '../../scripts/install/install-id.ts';
import { activeWebhook, hookOwnerHints, installIdOfWebhook, installWebhookIdentifier, WEBHOOK_IDENTIFIER_MAX, type InstallWebhooks } from '../../scripts/install/install-webhook.ts';
import { HOOK_NAME, splitOurHooks } from '../../scripts/install/hooks-repair.ts';
import { hookDescription } from '../../scripts/install/hook-plan.ts';
import { otherInstanceQuery, recordedRoot, webhookDescription } from '../../scripts/install/instance-guard.ts';
import type { GitLabHook } from '../../scripts/clients/gitlab/index.ts';
import type { StoredWebhook } from '../../scripts/port/types.ts';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';
import { planWebhook } from '../../scripts/install/webhook-plan.ts';
import { defaultOptions } from '../../scripts/bundle/render.ts';

const BUNDLE_ID = loadBundle().webhook.content.identifier;

describe('installWebhookIdentifier', () => {
  test('the bundle identifier and the install id\'s hash, within Port\'s 30 characters', () => {
    const id = installIdOf('https://gitlab.example.com', [42]);
    const w = installWebhookIdentifier(BUNDLE_ID, id);
    expect(w).toBe(`gitlabIntegration-${id.slice(3)}`);
    expect(w.length).toBeLessThanOrEqual(WEBHOOK_IDENTIFIER_MAX);
    expect(installIdOfWebhook(BUNDLE_ID, w)).toBe(id);
    // Another install, another webhook; the legacy shared one is nobody's own.
    expect(installWebhookIdentifier(BUNDLE_ID, installIdOf('https://gitlab.example.com', [43]))).not.toBe(w);
    expect(installIdOfWebhook(BUNDLE_ID, BUNDLE_ID)).toBeUndefined();
    expect(installIdOfWebhook(BUNDLE_ID, 'someoneElses-0123456789ab')).toBeUndefined();
  });

  test('a fork\'s long identifier is cut to fit, and still round-trips', () => {
    const id = installIdOf('https://gitlab.example.com', [42]);
    const w = installWebhookIdentifier('myCompanyGitLabIntegrationWebhook', id);
    expect(w.length).toBe(WEBHOOK_IDENTIFIER_MAX);
    expect(installIdOfWebhook('myCompanyGitLabIntegrationWebhook', w)).toBe(id);
  });

  test('the body install sends for its own webhook fits Port\'s published create-a-webhook schema; one character more would not', () => {
    const bundle = loadBundle();
    const id = installIdOf('https://gitlab.example.com', [42]);
    const root = `https://gitlab.example.com/${'x'.repeat(80)}`;
    const plan = planWebhook(bundle, defaultOptions(bundle), null, { identifier: installWebhookIdentifier(BUNDLE_ID, id), description: webhookDescription(bundle.webhook.content.description, root), newSecret: () => 's'.repeat(43) });
    expect(plan.body.description).toContain(root);
    expect(checkRequestBody('create-a-webhook', plan.body)).toEqual({ ok: true, errors: [] });
    expect(checkRequestBody('create-a-webhook', { ...plan.body, identifier: `${plan.body.identifier}x` }).ok).toBe(false);
    expect(checkRequestBody('create-a-webhook', { ...plan.body, description: `${plan.body.description}${'x'.repeat(200)}` }).ok).toBe(false);
  });
});

const hook = (id: number, url: string, description?: string): GitLabHook => ({ id, url, name: HOOK_NAME, description } as GitLabHook);
const stored = (identifier: string, url: string): StoredWebhook => ({ identifier, url } as StoredWebhook);

describe('which hooks are an install\'s', () => {
  const own = stored('gitlabIntegration-aaaaaaaaaaaa', 'https://ingest.example/own');
  const legacy = stored(BUNDLE_ID, 'https://ingest.example/legacy');
  const both: InstallWebhooks = { identifier: own.identifier!, own, legacyIdentifier: BUNDLE_ID, legacy };

  test('at its URL first (lowest id, the rest duplicates); else at the legacy URL (to migrate); else named after its webhook', () => {
    const hints = hookOwnerHints(both);
    expect(splitOurHooks([hook(5, own.url!), hook(3, own.url!), hook(1, legacy.url!)], own.url, hints)).toMatchObject({ hook: { id: 3 }, duplicates: [{ id: 5 }] });
    expect(splitOurHooks([hook(9, 'https://x'), hook(4, legacy.url!)], own.url, hints).hook?.id).toBe(4);
    expect(splitOurHooks([hook(8, 'https://old-url-of-own', hookDescription(own.identifier!, 's'.repeat(43)))], own.url, hints).hook?.id).toBe(8);
  });

  test('another install\'s hook on the same target — our name, its own webhook in the description — is never ours', () => {
    const other = hook(7, 'https://ingest.example/other', hookDescription('gitlabIntegration-bbbbbbbbbbbb', 's'.repeat(43)));
    expect(splitOurHooks([other], own.url, hookOwnerHints(both)).hook).toBeUndefined();
    // Without hints (older callers), any hook with our name is ours, as before.
    expect(splitOurHooks([other], own.url).hook?.id).toBe(7);
  });

  test('the webhook the hooks feed: its own, else the legacy one it has not migrated from', () => {
    expect(activeWebhook(both)).toMatchObject({ identifier: own.identifier, legacy: false });
    expect(activeWebhook({ ...both, own: null })).toMatchObject({ identifier: BUNDLE_ID, legacy: true });
    expect(activeWebhook({ ...both, own: null, legacy: null })).toBeNull();
  });
});

describe('the GitLab instance a webhook records', () => {
  test('in its description, within Port\'s 200 characters, and read back', () => {
    const d = webhookDescription('GitLab group-hook events → GitLab blueprints (port-gitlab-template).', 'https://gitlab.example.com/gitlab');
    expect(d).toBe('GitLab group-hook events → GitLab blueprints (port-gitlab-template). GitLab instance: https://gitlab.example.com/gitlab');
    expect(recordedRoot(d)).toBe('https://gitlab.example.com/gitlab');
    expect(recordedRoot('GitLab group-hook events → GitLab blueprints (port-gitlab-template).')).toBeUndefined();
    // Too long to record: the bundle's description alone (never a cut URL that would read as another instance).
    expect(webhookDescription('d', `https://${'x'.repeat(200)}.example`)).toBe('d');
  });

  test('the search for another instance\'s entities: a url set and not under this root (the trailing slash keeps look-alike hosts out)', () => {
    expect(otherInstanceQuery('https://gitlab.example.com')).toEqual({ combinator: 'and', rules: [{ property: 'url', operator: 'isNotEmpty' }, { property: 'url', operator: 'doesNotBeginsWith', value: 'https://gitlab.example.com/' }] });
  });
});
