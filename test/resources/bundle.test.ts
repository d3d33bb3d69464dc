// Scorecards and the dashboard page as bundle parts: `validate` names a bad reference (a property,
// relation, scorecard or blueprint that does not exist, an operator for the wrong type, a level
// Port refuses, a layout that hides a widget) with file, path and fix; `render --json` prints each
// resource, and every one passes Port's published schema for it.
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../scripts/bundle/load.ts';
import { validateBundle } from '../../scripts/bundle/validate.ts';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';
import { run as renderCommand } from '../../scripts/commands/render.ts';
import type { CommandIO } from '../../scripts/install/io.ts';
import { validationSuite } from '../helpers/bundle-problems.ts';

const suite = validationSuite();
const { problemsAfter } = suite;

const PROJECT = 'scorecards/gitlabProject.json';
const MR = 'scorecards/gitlabMergeRequest.json';
const PAGE = 'pages/gitlabDashboard.json';

describe('validate: scorecards', () => {
  it('accepts the shipped scorecards and page', () => {
    const { bundle, problems } = readBundle();
    expect(problems).toEqual([]);
    expect(bundle!.scorecards.map((s) => s.content.blueprint)).toEqual(['gitlabProject', 'gitlabMergeRequest']);
    expect(validateBundle(bundle!, suite.engine())).toEqual([]);
  });

  it('names a condition on a property the blueprint does not have', () => {
    const p = problemsAfter(PROJECT, (t) => t.replace('"property": "description"', '"property": "descripton"'));
    expect(p).toEqual([expect.objectContaining({ file: PROJECT, path: '/scorecards/0/rules/0/query/conditions/0', message: expect.stringContaining('blueprint gitlabProject has no property "descripton"'), fix: expect.any(String) })]);
  });

  it('names an operator that does not apply to the property type', () => {
    const p = problemsAfter(PROJECT, (t) => t.replace('{ "property": "archived", "operator": "=", "value": false }', '{ "property": "archived", "operator": "containsAny", "value": ["x"] }'));
    expect(p).toEqual([expect.objectContaining({ file: PROJECT, path: '/scorecards/0/rules/1/query/conditions/0', message: 'operator "containsAny" does not apply to a boolean field (Port\'s operator table)' })]);
  });

  it('names a comparison whose value can never match (a string compared with a boolean field)', () => {
    const p = problemsAfter(PROJECT, (t) => t.replace('"operator": "=", "value": false', '"operator": "=", "value": "false"'));
    expect(p).toEqual([expect.objectContaining({ path: '/scorecards/0/rules/1/query/conditions/0', message: expect.stringContaining('compares a boolean field with the string "false"') })]);
  });

  it('names an enum value the property never takes, in the filter', () => {
    const p = problemsAfter(MR, (t) => t.replace('{ "property": "state", "operator": "=", "value": "merged" }', '{ "property": "state", "operator": "in", "value": ["open", "merged"] }'));
    expect(p).toEqual([expect.objectContaining({ file: MR, path: '/scorecards/0/filter/conditions/0', message: expect.stringContaining('"open" is not among the field\'s values') })]);
  });

  it('refuses a rule on the base level, and a level the scorecard does not define', () => {
    const p = problemsAfter(PROJECT, (t) => t.replace('"level": "Bronze"', '"level": "Basic"').replace('"level": "Silver"', '"level": "Platinum"'));
    expect(p.map((x) => [x.path, x.message])).toEqual([
      ['/scorecards/0/rules/0/level', expect.stringContaining('"Basic" is the base level')],
      ['/scorecards/0/rules/2/level', '"Platinum" is not one of the scorecard\'s levels (Basic, Bronze, Silver, Gold)'],
    ]);
  });

  it('names a level no rule reaches (Port documents no level for it)', () => {
    const p = problemsAfter(MR, (t) => t.replace('"level": "Gold"', '"level": "Silver"'));
    expect(p).toEqual([expect.objectContaining({ file: MR, path: '/scorecards/0/levels/3', message: expect.stringContaining('level "Gold" has no rule') })]);
  });

  it('names a scorecard on a blueprint that is not in the bundle', () => {
    const p = problemsAfter(MR, (t) => t.replace('"blueprint": "gitlabMergeRequest"', '"blueprint": "gitlabMR"'));
    expect(p).toEqual(expect.arrayContaining([expect.objectContaining({ file: MR, path: '/blueprint', message: '"gitlabMR" is not a blueprint of this bundle' })]));
  });

  it('refuses a rule identifier Port refuses (dots), through Port\'s published create-a-scorecard schema', () => {
    const p = problemsAfter(PROJECT, (t) => t.replace('"identifier": "hasDescription"', '"identifier": "has.description"'));
    expect(p.some((x) => x.file === PROJECT && x.path === '/scorecards/0/rules/0/identifier' && /pattern/.test(x.message))).toBe(true);
  });
});

describe('validate: the dashboard page', () => {
  it('names a table column that is neither a property nor a scorecard of the blueprint', () => {
    const p = problemsAfter(PAGE, (t) => t.replace('"gitlabProjectHealth",', '"gitlabProjectHelth",'));
    expect(p).toEqual([expect.objectContaining({ file: PAGE, path: '/widgets/0/widgets/9/blueprintConfig/gitlabProject/propertiesSettings/order/1', message: 'column "gitlabProjectHelth" is neither a field nor a scorecard of gitlabProject' })]);
  });

  it('names a pie chart on a scorecard that does not exist', () => {
    const p = problemsAfter(PAGE, (t) => t.replace('"property": "scorecard#gitlabProjectHealth"', '"property": "scorecard#gitlabMergeRequestHygiene"'));
    expect(p).toEqual([expect.objectContaining({ path: '/widgets/0/widgets/8/property', message: 'scorecard "gitlabMergeRequestHygiene" is not a scorecard of gitlabProject in this bundle (it has: gitlabProjectHealth)' })]);
  });

  it('names a dataset rule on a missing property and a widget the layout does not place', () => {
    const p = problemsAfter(PAGE, (t) => t.replace('{ "property": "status", "operator": "=", "value": "failed" }', '{ "property": "state", "operator": "=", "value": "failed" }').replace('{ "id": "failedPipelinesLastWeek", "size": 2 }', '{ "id": "failedPipelinesLastWeek", "size": 3 }'));
    expect(p.map((x) => [x.path, x.message])).toEqual([
      ['/widgets/0/layout/0', 'the column sizes add up to 13; a row is 12 wide'],
      ['/widgets/0/widgets/5/dataset/rules/1/property', expect.stringContaining('dataset rule on "state" is not a field of gitlabPipeline')],
    ]);
    const q = problemsAfter(PAGE, (t) => t.replace('{ "id": "projectsTable", "size": 12 }', '{ "id": "projectTable", "size": 12 }'));
    expect(q.map((x) => x.message)).toEqual([expect.stringContaining('places "projectTable", which is not a widget'), 'widget "projectsTable" is not placed in the layout, so Port never shows it']);
  });

  it('names a page description longer than Port\'s 2024-03 schema allows', () => {
    const p = problemsAfter(PAGE, (t) => t.replace('"description": "Delivery health', `"description": "${'x'.repeat(150)}`));
    expect(p.some((x) => x.path === '/description' && /150/.test(x.message))).toBe(true);
  });

  it('names a scorecard or page file that template.json does not list', () => {
    const copy = suite.copy();
    copy.write('pages/extra.json', copy.read(PAGE).replace('"identifier": "gitlabDashboard"', '"identifier": "extra"'));
    const { bundle } = readBundle(copy.dir);
    expect(validateBundle(bundle!, suite.engine())).toEqual([expect.objectContaining({ file: 'pages/extra.json', message: 'not listed in template.json parts.pages, so it is never installed' })]);
  });
});

describe('render --json', () => {
  it('prints every resource, each valid for Port\'s published schema of its route', async () => {
    let out = '';
    const io = { env: {}, stdout: (t: string) => { out += t; }, stderr: () => {}, isTTY: false, prompt: async () => '' } as CommandIO;
    expect(await renderCommand(['--json'], io)).toBe(0);
    const rendered = JSON.parse(out) as { blueprints: unknown[]; webhook: unknown; scorecards: Array<{ blueprint: string; scorecard: unknown }>; pages: Array<Record<string, unknown>> };
    expect(rendered.blueprints).toHaveLength(9);
    for (const b of rendered.blueprints) expect(checkRequestBody('create-a-blueprint', b).errors).toEqual([]);
    expect(checkRequestBody('create-a-webhook', rendered.webhook).errors).toEqual([]);
    expect(rendered.scorecards.map((s) => s.blueprint)).toEqual(['gitlabProject', 'gitlabMergeRequest']);
    for (const s of rendered.scorecards) {
      expect(checkRequestBody('create-a-scorecard', s.scorecard).errors).toEqual([]);
      expect(checkRequestBody('change-a-scorecard', s.scorecard).errors).toEqual([]);
    }
    expect(checkRequestBody('change-scorecards', rendered.scorecards.filter((s) => s.blueprint === 'gitlabProject').map((s) => s.scorecard)).errors).toEqual([]);
    expect(rendered.pages.map((p) => p.identifier)).toEqual(['gitlabDashboard']);
    // The only page schema Port published (2024-03): its page-level fields hold; its widget branches
    // lost their `properties` when published and refuse every widget (any real client's included).
    for (const page of rendered.pages) {
      expect(checkRequestBody('historical-2024-03/create-pages', { ...page, widgets: [] }).errors).toEqual([]);
      expect(checkRequestBody('historical-2024-03/patch-a-page', { ...page, widgets: [] }).errors.filter((e) => e.keyword !== 'additionalProperties')).toEqual([]);
      expect(checkRequestBody('historical-2024-03/create-pages', page).ok).toBe(false);
    }
  });
});
