// `render` produces exactly what Port's published request schemas accept, for every install
// option, with the secret masked unless one is given.
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { MASKED_SECRET, defaultOptions, renderBlueprints, renderWebhook, renderWebhookMappings } from '../../scripts/bundle/render.ts';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';

const bundle = loadBundle();

describe('render', () => {
  it('renders every blueprint as a valid create-a-blueprint body, in template order', () => {
    const blueprints = renderBlueprints(bundle);
    expect(blueprints.map((b) => `blueprints/${b.identifier}.json`)).toEqual(bundle.template.parts.blueprints);
    for (const bp of blueprints) expect(checkRequestBody('create-a-blueprint', bp).errors).toEqual([]);
  });

  it.each([false, true])('renders a valid create-a-webhook body with confidentialIssues=%s', (confidentialIssues) => {
    const webhook = renderWebhook(bundle, { options: { confidentialIssues }, secret: 's'.repeat(40) });
    expect(checkRequestBody('create-a-webhook', webhook).errors).toEqual([]);
    expect(webhook.identifier.length).toBeLessThanOrEqual(30);
    expect(webhook.security).toMatchObject({ secret: 's'.repeat(40), signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain' });
    for (const m of webhook.mappings!) expect(m).not.toHaveProperty('when');
  });

  it('masks the secret when none is given', () => {
    expect(renderWebhook(bundle).security!.secret).toBe(MASKED_SECRET);
  });

  it('resolves the confidential-issues option into different mappings', () => {
    const off = renderWebhookMappings(bundle, { ...defaultOptions(bundle), confidentialIssues: false });
    const on = renderWebhookMappings(bundle, { ...defaultOptions(bundle), confidentialIssues: true });
    const confidential = (ms: typeof on) => ms.filter((m) => m.filter.includes('Confidential Issue Hook'));
    expect(confidential(off).some((m) => m.operation?.type === 'delete')).toBe(true);
    expect(confidential(on).some((m) => m.operation?.type === 'delete' && m.blueprint === 'gitlabIssue')).toBe(false);
  });

  it('inlines the shared jq functions into the expressions that call them, so each is self-contained', () => {
    const mappings = renderWebhookMappings(bundle);
    const expressions = mappings.flatMap((m) => [m.filter, m.entity.identifier, ...Object.values(m.entity.properties ?? {}), ...Object.values(m.entity.relations ?? {})]);
    const dated = expressions.filter((e) => /\bgitlab_date\b/.test(e));
    expect(dated.length).toBeGreaterThan(0);
    for (const e of dated) expect(e.startsWith('def gitlab_date:')).toBe(true);
  });
});
