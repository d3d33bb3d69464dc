// The nine blueprints: valid for Port's create-a-blueprint request schema and for the rules Port
// enforces beyond it (identifier patterns, relation targets, no many+required, enumColors palette).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';

const DIR = new URL('../../blueprints/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const blueprints = files.map((f) => ({ file: f, bp: JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) }));
const ids = new Set(blueprints.map((b) => b.bp.identifier));

const COLORS = new Set(['blue', 'turquoise', 'orange', 'purple', 'pink', 'yellow', 'green', 'red', 'gold', 'silver',
  'paleBlue', 'darkGray', 'lightGray', 'bronze', 'lime', 'olive', 'brown']);

// Required property ids per blueprint, from the bundle issue's data-model table.
const REQUIRED: Record<string, string[]> = {
  gitlabGroup: ['fullPath', 'url', 'visibility', 'description'],
  gitlabProject: ['pathWithNamespace', 'url', 'defaultBranch', 'visibility', 'archived', 'topics', 'description', 'lastActivityAt'],
  gitlabMergeRequest: ['iid', 'state', 'url', 'author', 'sourceBranch', 'targetBranch', 'draft', 'labels', 'reviewers', 'createdAt', 'updatedAt', 'mergedAt', 'closedAt'],
  gitlabIssue: ['iid', 'state', 'url', 'author', 'labels', 'assignees', 'createdAt', 'updatedAt', 'closedAt'],
  gitlabPipeline: ['status', 'ref', 'sha', 'source', 'url', 'createdAt', 'updatedAt', 'finishedAt', 'duration'],
  gitlabJob: ['name', 'stage', 'status', 'ref', 'url', 'createdAt', 'startedAt', 'finishedAt', 'duration', 'allowFailure', 'failureReason'],
  gitlabDeployment: ['status', 'environment', 'ref', 'sha', 'url', 'createdAt', 'updatedAt'],
  gitlabRelease: ['tagName', 'name', 'url', 'description', 'createdAt', 'releasedAt', 'author'],
  gitlabMember: ['username', 'name', 'accessLevel', 'expiresAt', 'state'],
};
const RELATIONS: Record<string, Record<string, string>> = {
  gitlabGroup: { parent: 'gitlabGroup' },
  gitlabProject: { group: 'gitlabGroup' },
  gitlabMergeRequest: { project: 'gitlabProject' },
  gitlabIssue: { project: 'gitlabProject' },
  gitlabPipeline: { project: 'gitlabProject' },
  gitlabJob: { pipeline: 'gitlabPipeline', project: 'gitlabProject' },
  gitlabDeployment: { project: 'gitlabProject', job: 'gitlabJob' },
  gitlabRelease: { project: 'gitlabProject' },
  gitlabMember: { group: 'gitlabGroup' },
};

describe('blueprints/', () => {
  it('holds exactly the nine blueprints of the data model, one per file named after its identifier', () => {
    expect(files).toEqual(Object.keys(REQUIRED).sort().map((id) => `${id}.json`));
    for (const { file, bp } of blueprints) expect(file).toBe(`${bp.identifier}.json`);
  });

  for (const { file, bp } of blueprints) {
    describe(file, () => {
      it("is a valid body for Port's POST /v1/blueprints", () => {
        const check = checkRequestBody('create-a-blueprint', bp);
        expect(check.errors).toEqual([]);
        expect(check.ok).toBe(true);
      });

      it('follows Port rules the schema does not encode', () => {
        expect(bp.identifier).toMatch(/^(?!\.{1,2}$)[\p{L}0-9@_.+:\\/-]+$/u);
        expect(bp.identifier.length).toBeLessThanOrEqual(100);
        expect(bp.title.length).toBeGreaterThan(0);
        expect(bp.title.length).toBeLessThanOrEqual(100);
        expect(bp.description.length).toBeLessThanOrEqual(200);
        expect(typeof bp.icon).toBe('string');
        // Webhook upserts are partial: a required property would make Port reject them.
        expect(bp.schema.required).toEqual([]);
        for (const [id, prop] of Object.entries<any>(bp.schema.properties)) {
          expect(id, id).toMatch(/^[A-Za-z0-9@_=-]+$/);
          expect(id, id).toMatch(/^[a-z][A-Za-z0-9]*$/); // camelCase
          expect(prop.title.length, id).toBeLessThanOrEqual(100);
          expect(prop.description.length, id).toBeLessThanOrEqual(200);
          if (/At$/.test(id)) expect(prop, id).toMatchObject({ type: 'string', format: 'date-time' });
          if (/^url$|Url$/.test(id)) expect(prop, id).toMatchObject({ type: 'string', format: 'url' });
          if (prop.enum) {
            expect(new Set(prop.enum).size, id).toBe(prop.enum.length);
            expect(Object.keys(prop.enumColors ?? {}).sort(), id).toEqual([...prop.enum].sort());
            for (const c of Object.values(prop.enumColors)) expect(COLORS.has(c as string), `${id}: ${c}`).toBe(true);
          }
        }
      });

      it('has the required properties and relations of the data model', () => {
        for (const p of REQUIRED[bp.identifier]) expect(Object.keys(bp.schema.properties), p).toContain(p);
        const rels = Object.fromEntries(Object.entries<any>(bp.relations).map(([k, r]) => [k, r.target]));
        expect(rels).toEqual(RELATIONS[bp.identifier]);
        for (const [id, r] of Object.entries<any>(bp.relations)) {
          expect(id).toMatch(/^[A-Za-z0-9@_=-]+$/);
          expect(ids.has(r.target), `${id} → ${r.target}`).toBe(true);
          // Deliveries arrive in any order, so no relation may be required; never many.
          expect(r).toMatchObject({ required: false, many: false });
        }
      });
    });
  }

  it('gives CI statuses every value GitLab can send', () => {
    const all = ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'canceling', 'skipped', 'manual', 'scheduled'];
    const bp = (id: string) => blueprints.find((b) => b.bp.identifier === id)!.bp;
    expect([...bp('gitlabPipeline').schema.properties.status.enum].sort()).toEqual([...all].sort());
    expect([...bp('gitlabJob').schema.properties.status.enum].sort()).toEqual([...all].sort());
    expect([...bp('gitlabDeployment').schema.properties.status.enum].sort()).toEqual(['blocked', 'canceled', 'created', 'failed', 'running', 'success']);
    expect(bp('gitlabMergeRequest').schema.properties.state.enum).toEqual(expect.arrayContaining(['opened', 'closed', 'merged', 'locked']));
    expect(bp('gitlabMember').schema.properties.accessLevel.enum).toEqual(expect.arrayContaining(['Guest', 'Planner', 'Reporter', 'Developer', 'Maintainer', 'Owner']));
  });
});
