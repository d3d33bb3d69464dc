// `validate` accepts the shipped bundle and names file, path and fix for each kind of mistake
// a fork can make.
import { describe, expect, it } from 'vitest';
import { validationSuite } from '../helpers/bundle-problems.ts';

const suite = validationSuite();
const { problemsOf, problemsAfter: broken } = suite;

describe('validate', () => {
  it('accepts the shipped bundle', () => {
    expect(problemsOf()).toEqual([]);
  });

  it('reports an aggregation over a property the target blueprint lacks, and a calculation that does not compile', () => {
    const copy = suite.copy();
    copy.edit('blueprints/gitlabProject.json', (t) => t.replace('"property": "leadTimeHours"', '"property": "leadTime"').replace('"calculation": ".properties.lastDefaultBranchPipelineKey as $k', '"calculation": ".properties.lastDefaultBranchPipelineKey as k'));
    const p = problemsOf(copy.dir);
    expect(p).toEqual([
      expect.objectContaining({ file: 'blueprints/gitlabProject.json', path: '/aggregationProperties/averageLeadTimeHours/calculationSpec/property', message: expect.stringContaining('"leadTime", which is not a property of blueprint "gitlabMergeRequest"') }),
      expect.objectContaining({ file: 'blueprints/gitlabProject.json', path: '/calculationProperties/lastDefaultBranchPipelineStatus/calculation', message: expect.stringContaining('jq does not compile') }),
    ]);
  });

  it('reports a template version that differs from package.json', () => {
    const p = broken('template.json', (t) => t.replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
    expect(p).toEqual([expect.objectContaining({ file: 'template.json', path: '/version', fix: expect.any(String) })]);
  });

  it('reports invalid YAML with its line', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t + '\n  bad: [unclosed\n');
    expect(p[0]).toMatchObject({ file: 'mappings/webhook/push.yaml', message: expect.stringContaining('invalid YAML'), path: expect.stringMatching(/^line \d+/) });
  });

  it('reports a schema violation with its JSON path', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace(/operation: \{ ?type: create ?\}/, 'operation: { type: upsert }'));
    expect(p.some((x) => x.file === 'mappings/webhook/push.yaml' && x.path.startsWith('/mappings/'))).toBe(true);
  });

  it('reports an uppercase header name', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace('"x-gitlab-event"', '"X-Gitlab-Event"'));
    expect(p).toContainEqual(expect.objectContaining({ file: 'mappings/webhook/push.yaml', message: expect.stringContaining('not lowercase'), fix: expect.stringContaining('"x-gitlab-event"') }));
  });

  it('probes identifiers and relations: one an absent id turns into "null" is reported with the fix', () => {
    const copy = suite.copy();
    copy.edit('mappings/webhook/push.yaml', (t) => t.replace("identifier: '(.body.project.id // .body.project_id) | gitlab_id'", "identifier: '(.body.project.id // .body.project_id) | tostring'"));
    copy.edit('mappings/webhook/member.yaml', (t) => t.replace("identifier: '[.body.group_id, .body.user_id] | joined_id'", 'identifier: \'"\\(.body.group_id)-\\(.body.user_id)"\''));
    copy.edit('mappings/webhook/job.yaml', (t) => t.replace("pipeline: '(.body.pipeline_id // .body.commit.id) | gitlab_id'", "pipeline: '.body.pipeline_id | tostring'"));
    copy.edit('mappings/backfill/jobs.yaml', (t) => t.replace("pipeline: '.object.pipeline.id | gitlab_id'", "pipeline: '.object.pipeline.id | tostring'"));
    const p = problemsOf(copy.dir);
    const probe = (file: string, path: RegExp, value: string) => expect.objectContaining({ file, path: expect.stringMatching(path), message: expect.stringContaining(`yields ${JSON.stringify(value)}`), fix: expect.stringContaining('gitlab_id') });
    expect(p).toHaveLength(4);
    expect(p).toEqual(expect.arrayContaining([
      probe('mappings/webhook/job.yaml', /^\/mappings\/3\/entity\/relations\/pipeline$/, 'null'),
      probe('mappings/webhook/member.yaml', /^\/mappings\/1\/entity\/identifier$/, 'null-null'),
      probe('mappings/webhook/push.yaml', /^\/mappings\/0\/entity\/identifier$/, 'null'),
      probe('mappings/backfill/jobs.yaml', /^\/mappings\/0\/entity\/relations\/pipeline$/, 'null'),
    ]));
  });

  it('reports an identifier without | tostring or | gitlab_id', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace(/identifier: '([^']*?) \| gitlab_id'/, "identifier: '$1'"));
    expect(p).toContainEqual(expect.objectContaining({ path: expect.stringMatching(/\/entity\/identifier$/), message: expect.stringContaining('tostring') }));
  });

  it('reports a property the blueprint does not have', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace(/properties:\n(\s+)/, 'properties:\n$1noSuchProperty: .body.x\n$1'));
    expect(p).toContainEqual(expect.objectContaining({ path: expect.stringMatching(/\/entity\/properties\/noSuchProperty$/), message: expect.stringContaining('not in blueprint') }));
  });

  it('reports a builtin that Port\'s jq 1.6 lacks', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace(/title: '([^']+)'/, "title: '($1) | trim'"));
    expect(p).toContainEqual(expect.objectContaining({ message: expect.stringContaining('trim/0') }));
  });

  it('reports jq that does not compile', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace(/title: '([^']+)'/, "title: '$1 | ('"));
    expect(p).toContainEqual(expect.objectContaining({ path: expect.stringMatching(/\/entity\/title$/), message: expect.stringContaining('does not compile') }));
  });

  it('reports a relation with many and required both true', () => {
    const p = broken('blueprints/gitlabJob.json', (t) => {
      const bp = JSON.parse(t);
      const rel = Object.keys(bp.relations)[0];
      bp.relations[rel] = { ...bp.relations[rel], many: true, required: true };
      return JSON.stringify(bp, null, 2);
    });
    expect(p).toContainEqual(expect.objectContaining({ file: 'blueprints/gitlabJob.json', path: expect.stringMatching(/^\/relations\//) }));
  });

  it('reports a relation to a blueprint outside the bundle', () => {
    const p = broken('blueprints/gitlabJob.json', (t) => t.replace('"target": "gitlabPipeline"', '"target": "gitlabNoSuch"'));
    expect(p).toContainEqual(expect.objectContaining({ file: 'blueprints/gitlabJob.json', message: expect.stringContaining('gitlabNoSuch') }));
  });

  it('reports a blueprint file that template.json does not list', () => {
    const copy = suite.copy();
    copy.write('blueprints/extra.json', copy.read('blueprints/gitlabGroup.json').replace('"identifier": "gitlabGroup"', '"identifier": "extra"'));
    expect(problemsOf(copy.dir)).toContainEqual(expect.objectContaining({ file: 'blueprints/extra.json', message: expect.stringContaining('not listed') }));
  });

  it('reports an event file that webhook.yaml does not list', () => {
    const copy = suite.copy();
    copy.write('mappings/webhook/extra.yaml', copy.read('mappings/webhook/push.yaml'));
    expect(problemsOf(copy.dir)).toContainEqual(expect.objectContaining({ file: 'mappings/webhook/extra.yaml', message: expect.stringContaining('not listed') }));
  });

  it('reports a `when` gate that names no install option', () => {
    const p = broken('mappings/webhook/push.yaml', (t) => t.replace(/- blueprint:/, '- when: noSuchOption\n    blueprint:'));
    expect(p).toContainEqual(expect.objectContaining({ message: expect.stringContaining('noSuchOption') }));
  });

  it('reports a webhook identifier longer than Port allows', () => {
    const p = broken('mappings/webhook.yaml', (t) => t.replace(/^identifier: \S+/m, `identifier: ${'g'.repeat(31)}`));
    expect(p).toContainEqual(expect.objectContaining({ file: 'mappings/webhook.yaml', path: '/identifier' }));
  });

  it('reports a backfill mapping that reads a key its fields do not declare', () => {
    const p = broken('mappings/backfill/releases.yaml', (t) => t.replace("title: '.object.name // .object.tag_name'", "title: '.object.name // .object.tag_name_text'").replace('parent: [id, web_url]', 'parent: [id]'));
    expect(p).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: 'mappings/backfill/releases.yaml', path: '/mappings/0', message: expect.stringContaining('.object.tag_name_text'), fix: 'add tag_name_text to fields.object' }),
      expect.objectContaining({ file: 'mappings/backfill/releases.yaml', message: expect.stringContaining('.parent.web_url'), fix: 'add web_url to fields.parent' }),
    ]));
  });
});
