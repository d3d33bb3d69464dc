import { describe, expect, it } from 'vitest';
import { checkBlueprint, checkBlueprintChange } from '../../scripts/port/blueprint-rules.ts';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';

// A GitLab merge-request blueprint in the shape the template ships.
function mergeRequest(): Record<string, any> {
  return {
    identifier: 'gitlabMergeRequest',
    title: 'Merge Request',
    icon: 'GitLab',
    schema: {
      properties: {
        state: { type: 'string', title: 'State', enum: ['opened', 'closed', 'merged', 'locked'], enumColors: { opened: 'green', merged: 'purple' } },
        link: { type: 'string', format: 'url' },
        createdAt: { type: 'string', format: 'date-time' },
        labels: { type: 'array', items: { type: 'string' } },
        reviewers: { type: 'array', items: { type: 'string', format: 'user' } },
        iid: { type: 'number' },
      },
      required: ['state'],
    },
    relations: {
      project: { target: 'gitlabProject', required: true, many: false },
      assignees: { target: '_user', required: false, many: true },
    },
    mirrorProperties: { projectUrl: { path: 'project.url' } },
    calculationProperties: { webLink: { calculation: '.properties.link', type: 'string', format: 'url' } },
  };
}

const known = new Set(['gitlabProject']);
const messages = (v: { message: string }[]) => v.map((x) => x.message).join('\n');

describe('checkBlueprint', () => {
  it('accepts a valid blueprint that also passes the published schema', () => {
    const bp = mergeRequest();
    expect(checkRequestBody('create-a-blueprint', bp).ok).toBe(true);
    expect(checkBlueprint(bp, known)).toEqual([]);
  });

  it('rejects identifiers Port rejects', () => {
    for (const id of ['.', '..', 'has space', 'a=b', 'x'.repeat(101), 'semi;colon']) {
      const v = checkBlueprint({ ...mergeRequest(), identifier: id }, known);
      expect(v.map((x) => x.path), id).toContain('/identifier');
    }
    expect(checkBlueprint({ ...mergeRequest(), identifier: 'gitlab/merge.request:v1+x@é' }, known)).toEqual([]);
  });

  it('rejects property and relation identifiers with dots or spaces', () => {
    const bp = mergeRequest();
    bp.schema.properties['merged.at'] = { type: 'string' };
    bp.relations['my rel'] = { target: 'gitlabProject', required: false, many: false };
    bp.mirrorProperties['x'.repeat(101)] = { path: 'project.url' };
    const v = checkBlueprint(bp, known);
    expect(v.map((x) => x.path)).toEqual(expect.arrayContaining(['/schema/properties/merged.at', '/relations/my rel', `/mirrorProperties/${'x'.repeat(101)}`]));
  });

  it('rejects a relation that is both many and required', () => {
    const bp = mergeRequest();
    bp.relations.assignees.required = true;
    const v = checkBlueprint(bp, known);
    expect(v).toHaveLength(1);
    expect(v[0].path).toBe('/relations/assignees');
    expect(v[0].message).toMatch(/many.*required/);
  });

  it('requires relation targets to exist, allowing itself, _user and _team', () => {
    const v = checkBlueprint(mergeRequest(), new Set());
    expect(v).toEqual([expect.objectContaining({ path: '/relations/project/target', error: 'not_found' })]);
    const selfRef = mergeRequest();
    selfRef.relations.parent = { target: 'gitlabMergeRequest', required: false, many: false };
    selfRef.relations.team = { target: '_team', required: false, many: true };
    expect(checkBlueprint(selfRef, known)).toEqual([]);
  });

  it('requires `required` to name existing properties', () => {
    const bp = mergeRequest();
    bp.schema.required = ['state', 'project', 'nope'];
    const v = checkBlueprint(bp, known);
    expect(v.map((x) => x.path)).toEqual(['/schema/required/1', '/schema/required/2']);
  });

  it('requires enum values, defaults and formats to agree with the type', () => {
    const bp = mergeRequest();
    bp.schema.properties.iid.enum = [1, 'two'];
    bp.schema.properties.state.default = 'draft';
    bp.schema.properties.count = { type: 'number', format: 'url' };
    bp.schema.properties.labels.items = { type: 'string', enum: ['bug', 3] };
    bp.schema.properties.state.enumColors.unknown = 'red';
    const v = checkBlueprint(bp, known);
    expect(v.map((x) => x.path).sort()).toEqual([
      '/schema/properties/count/format',
      '/schema/properties/iid/enum/1',
      '/schema/properties/labels/items/enum/1',
      '/schema/properties/state/default',
      '/schema/properties/state/enumColors/unknown',
    ]);
  });

  it('requires arrays to declare items', () => {
    const bp = mergeRequest();
    delete bp.schema.properties.labels.items;
    expect(checkBlueprint(bp, known)).toEqual([expect.objectContaining({ path: '/schema/properties/labels/items' })]);
  });

  it('requires mirror paths to start with a relation and identifiers to be unique', () => {
    const bp = mergeRequest();
    bp.mirrorProperties.projectUrl.path = 'repository.url';
    bp.relations.state = { target: 'gitlabProject', required: false, many: false };
    const v = checkBlueprint(bp, known);
    expect(messages(v)).toMatch(/"repository", which is not a relation/);
    expect(messages(v)).toMatch(/"state" is already used as a property/);
  });

  it('checks inherited ownership paths', () => {
    const bp = { ...mergeRequest(), ownership: { type: 'Inherited', path: 'group.project' } };
    expect(checkBlueprint(bp, known)).toEqual([expect.objectContaining({ error: 'invalid_inherited_ownership_path' })]);
    expect(checkBlueprint({ ...bp, ownership: { type: 'Inherited', path: 'project' } }, known)).toEqual([]);
  });

  it('answers a non-object with one violation instead of throwing', () => {
    expect(checkBlueprint(null, known)).toHaveLength(1);
    expect(checkBlueprint({ identifier: 'x', schema: { properties: { a: 'nope' } }, relations: [] }, known)).toEqual([]);
  });
});

describe('checkBlueprintChange', () => {
  it('forbids changing a property type, format or array item kind', () => {
    const before = mergeRequest();
    const after = mergeRequest();
    after.schema.properties.link = { type: 'string' };
    after.schema.properties.iid = { type: 'string' };
    after.schema.properties.reviewers = { type: 'array', items: { type: 'string', format: 'email' } };
    const v = checkBlueprintChange(before, after);
    expect(v.map((x) => x.error)).toEqual(['forbidden_format_change', 'forbidden_format_change', 'forbidden_format_change']);
    expect(v.map((x) => x.details?.property)).toEqual(['link', 'reviewers', 'iid']);
  });

  it('allows title/enum changes, new properties and removed properties', () => {
    const before = mergeRequest();
    const after = mergeRequest();
    after.schema.properties.state.title = 'MR state';
    after.schema.properties.state.enum.push('draft');
    after.schema.properties.newOne = { type: 'boolean' };
    delete after.schema.properties.iid;
    expect(checkBlueprintChange(before, after)).toEqual([]);
  });

  it('forbids changing a relation between single and many', () => {
    const before = mergeRequest();
    const after = mergeRequest();
    after.relations.assignees.many = false;
    const v = checkBlueprintChange(before, after);
    expect(v).toEqual([expect.objectContaining({ path: '/relations/assignees/many' })]);
  });
});
