// The ownership rule (scripts/backfill/ownership.ts) on its own: the URL root and prefixes it
// derives, and the Port search query it builds, run by the local Port over entities of every
// case (a relative-URL GitLab, look-alike paths, another host, a renamed group, url-less entities
// known only through relations), with the local evaluation `isOwned` agreeing on each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderBlueprints } from '../../scripts/bundle/render.ts';
import { PortClient, PORT_SEARCH_MAX_LIMIT } from '../../scripts/clients/port/index.ts';
import { groupUrls, isOwned, ownedQuery, ownedScope } from '../../scripts/backfill/ownership.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import { call, expectPortError, tokenFor } from '../sandbox/port/http.ts';
import { createBlueprintsInOrder } from '../../scripts/install/blueprint-apply.ts';

const bundle = loadBundle();
const blueprints = bundle.blueprints.map((b) => b.content);
const ROOT = 'https://code.example.com/gitlab';

describe('the URL root and prefixes', () => {
  it('takes the root from GitLab\'s own web_url of the group (relative URL root, GitLab\'s spelling of the path)', () => {
    expect(groupUrls('https://CODE.example.com/gitlab/', { id: 1, full_path: 'acme', web_url: `${ROOT}/groups/Acme` })).toEqual({ root: ROOT, path: 'Acme' });
    expect(ownedScope('https://ignored.example', [{ id: 1, full_path: 'acme', web_url: `${ROOT}/groups/acme` }])).toEqual({
      prefixes: [`${ROOT}/acme/`, `${ROOT}/groups/acme/`], exact: [`${ROOT}/groups/acme`], topIds: ['1'],
    });
  });

  it('falls back to GITLAB_URL normalised when GitLab gave no usable web_url', () => {
    expect(groupUrls('HTTPS://Code.Example.com:443/gitlab/api/v4/', { id: 1, full_path: 'acme' })).toEqual({ root: ROOT, path: 'acme' });
    expect(groupUrls('https://code.example.com/gitlab', { id: 1, full_path: 'acme', web_url: 'https://code.example.com/somewhere-else' })).toEqual({ root: ROOT, path: 'acme' });
  });

  it('needs a group', () => {
    expect(() => ownedScope(ROOT, [])).toThrow(/at least one top-level group/);
  });
});

describe('the ownership query, run by the local Port', () => {
  let port: LocalPort;
  let client: PortClient;
  const scope = ownedScope(ROOT, [{ id: 100, full_path: 'acme', web_url: `${ROOT}/groups/acme` }, { id: 200, full_path: 'beta', web_url: `${ROOT}/groups/beta` }]);
  /** identifier → ours? per blueprint, written parents first. */
  const cases: Record<string, Array<[string, boolean, Record<string, unknown>, Record<string, string>?]>> = {
    gitlabGroup: [
      ['100', true, { url: `${ROOT}/groups/acme` }],
      ['200', true, { url: `${ROOT}/groups/beta` }],
      ['101', true, { url: `${ROOT}/groups/acme/platform` }, { parent: '100' }],
      ['102', true, {}, { parent: '100' }], // Subgroup Hook: no url
      ['103', true, {}, { parent: '102' }], // two hops up to the top through url-less groups
      ['300', false, { url: `${ROOT}/groups/acme2` }], // look-alike path
      ['301', false, { url: `${ROOT}/groups/acme-old/x` }], // what a renamed top group's old URLs look like
      ['302', false, { url: `https://other.example.com/gitlab/groups/acme` }], // another GitLab, same path
      ['303', false, {}], // hand-made, nothing to go by
      ['304', false, {}, { parent: '302' }],
      ['305', false, { url: `https://other.example.com/gitlab/groups/acme/x` }, { parent: '100' }], // a url elsewhere wins over the relation
    ],
    gitlabMember: [
      ['100-1', true, {}, { group: '100' }],
      ['103-1', true, {}, { group: '103' }],
      ['302-1', false, {}, { group: '302' }],
      ['304-1', false, {}, { group: '304' }],
      ['hand-made', false, {}],
    ],
    gitlabProject: [
      ['10', true, { url: `${ROOT}/acme/app` }],
      ['11', true, { url: `${ROOT}/beta/deep/er/app` }],
      ['12', false, {}, { group: '103' }], // every mapping writes a project's url: a url-less one was made by hand
      ['13', false, {}], // Project Hook only: no url, no group
      ['14', false, { url: `${ROOT}/acme2/app` }],
      ['15', false, { url: `${ROOT}/gitlab/acme/app` }],
      ['16', false, { url: `https://code.example.com/acme/app` }], // same host, outside the relative root
    ],
    gitlabMergeRequest: [
      ['1000', true, { state: 'opened', url: `${ROOT}/acme/app/-/merge_requests/1` }, { project: '10' }],
      ['1001', false, { state: 'opened', url: `https://other.example.com/gitlab/acme/app/-/merge_requests/1` }, { project: '10' }],
      ['1002', false, { state: 'opened' }, { project: '10' }], // a url-less MR related to ours was made by hand: MRs always carry a url
    ],
  };

  beforeAll(async () => {
    port = await startLocalPort({ rateLimit: false });
    client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    await createBlueprintsInOrder(client, renderBlueprints(bundle));
    for (const [bp, list] of Object.entries(cases)) {
      for (const [identifier, , properties, relations] of list) await client.upsertEntity(bp, { identifier, title: identifier, properties, relations: relations ?? {} });
    }
  });
  afterAll(async () => {
    await port?.close();
  });

  for (const bp of Object.keys(cases)) {
    it(`${bp}: selects exactly the install's entities, and isOwned agrees`, async () => {
      const found: string[] = [];
      for await (const page of client.searchEntityPages(bp, { query: ownedQuery(blueprints, bp, scope), include: ['identifier'], limit: PORT_SEARCH_MAX_LIMIT })) {
        for (const e of page) found.push(String(e.identifier));
      }
      const expected = cases[bp]!.filter(([, ours]) => ours).map(([id]) => id);
      expect(found.sort()).toEqual(expected.sort());
      const lookup = (b: string, id: string) => port.entity(b, id);
      for (const [id, ours] of cases[bp]!) expect(isOwned(blueprints, bp, port.entity(bp, id)!, scope, lookup), `${bp}/${id}`).toBe(ours);
    });
  }

  it('uses only operators of Port\'s published search schema', () => {
    const ops = new Set<string>();
    const walk = (q: { rules: unknown[] }) => {
      for (const r of q.rules as Array<Record<string, unknown>>) {
        if (Array.isArray(r.rules)) walk(r as { rules: unknown[] });
        else ops.add(String(r.operator));
      }
    };
    for (const b of blueprints) walk(ownedQuery(blueprints, b.identifier, scope));
    expect([...ops].sort()).toEqual(['=', 'beginsWith', 'in', 'isEmpty', 'matchAny']);
  });

  it('the local Port refuses relation paths as Port bounds them', async () => {
    const token = await tokenFor(port);
    const search = (rule: Record<string, unknown>) => call(port, 'POST', '/v1/blueprints/gitlabMember/entities/search', { token, body: { query: { combinator: 'and', rules: [rule] } } });
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ property: { path: ['group'], fromBlueprint: 'gitlabGroup' }, operator: 'matchAny', value: '1' }, /fromBlueprint/],
      // Port's published schema itself bounds maxHops (1–15).
      [{ property: { path: ['group', { relation: 'parent', maxHops: 16 }] }, operator: 'matchAny', value: '1' }, /search-a-blueprints-entities\): \/query\/rules\/0\/property/],
      [{ property: { path: [{ relation: 'group', maxHops: 1 }, { relation: 'parent', maxHops: 2 }] }, operator: 'matchAny', value: '1' }, /once per path/],
      [{ property: 'url', operator: 'matchAny', value: '1' }, /\/query\/rules\/0\/operator/], // by the schema too
      [{ property: { path: ['project'] }, operator: 'matchAny', value: '1' }, /"project" in property.path is not a relation of blueprint "gitlabMember"/],
    ];
    for (const [rule, message] of bad) {
      const res = await search(rule);
      expectPortError(res, 422, 'invalid_request', 'search-a-blueprints-entities');
      expect(res.body.message, JSON.stringify(rule)).toMatch(message);
    }
  });
});
