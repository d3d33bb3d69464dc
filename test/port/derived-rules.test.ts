// Port's cross-blueprint rules for aggregation, calculation and mirror properties, on the bundle's
// own blueprints with one thing broken at a time.
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { checkDerivedReferences } from '../../scripts/port/derived-rules.ts';

const bundle = loadBundle();
const fresh = () => new Map(bundle.blueprints.map((b) => [b.content.identifier, structuredClone(b.content) as any]));

function problems(edit: (bps: Map<string, any>) => void, blueprint = 'gitlabProject') {
  const bps = fresh();
  edit(bps);
  return checkDerivedReferences(bps.get(blueprint), (id) => bps.get(id)).map((v) => `${v.path}: ${v.message}`);
}

describe('derived property references', () => {
  it('accepts every shipped blueprint', () => {
    const bps = fresh();
    for (const bp of bps.values()) expect(checkDerivedReferences(bp, (id) => bps.get(id)), bp.identifier).toEqual([]);
  });

  it('an aggregated property that the target lacks, or that is not a number', () => {
    expect(problems((b) => { b.get('gitlabProject').aggregationProperties.averageLeadTimeHours.calculationSpec.property = 'leadTime'; }))
      .toEqual(['/aggregationProperties/averageLeadTimeHours/calculationSpec/property: aggregation "averageLeadTimeHours" reads "leadTime", which is not a property of blueprint "gitlabMergeRequest"']);
    expect(problems((b) => { b.get('gitlabProject').aggregationProperties.averageLeadTimeHours.calculationSpec.property = 'state'; }))
      .toEqual(['/aggregationProperties/averageLeadTimeHours/calculationSpec/property: aggregation "averageLeadTimeHours" averages "state" of "gitlabMergeRequest", which is a string; average needs a number property']);
  });

  it('measureTimeBy must be a date-time property or $createdAt/$updatedAt', () => {
    expect(problems((b) => { b.get('gitlabProject').aggregationProperties.deploymentsPerWeek.calculationSpec.measureTimeBy = 'environment'; })).toEqual([
      '/aggregationProperties/deploymentsPerWeek/calculationSpec/measureTimeBy: aggregation "deploymentsPerWeek" measures time by "environment", which is not a date-time property of "gitlabDeployment" (use one, or $createdAt / $updatedAt)',
    ]);
    expect(problems((b) => { b.get('gitlabProject').aggregationProperties.deploymentsPerWeek.calculationSpec.measureTimeBy = '$createdAt'; })).toEqual([]);
  });

  it('query rules name properties of the target', () => {
    expect(problems((b) => { b.get('gitlabProject').aggregationProperties.openIssues.query.rules[0].property = 'status'; }))
      .toEqual(['/aggregationProperties/openIssues/query: aggregation "openIssues" filters on "status", which blueprint "gitlabIssue" does not have']);
  });

  it('pathFilter: relations that exist, from the target to this blueprint (or from here to the target)', () => {
    expect(problems((b) => { b.get('gitlabGroup').aggregationProperties.openIssues.pathFilter[0].path = ['project', 'parent']; }, 'gitlabGroup'))
      .toEqual(['/aggregationProperties/openIssues/pathFilter/0/path: pathFilter of "openIssues": "parent" is not a relation of blueprint "gitlabProject"']);
    expect(problems((b) => { b.get('gitlabGroup').aggregationProperties.openIssues.pathFilter[0].path = ['project']; }, 'gitlabGroup'))
      .toEqual(['/aggregationProperties/openIssues/pathFilter/0/path: pathFilter of "openIssues" ends at "gitlabProject", not at "gitlabGroup"']);
    expect(problems((b) => { b.get('gitlabGroup').aggregationProperties.openIssues.pathFilter[0].fromBlueprint = 'gitlabProject'; }, 'gitlabGroup'))
      .toEqual(['/aggregationProperties/openIssues/pathFilter/0/fromBlueprint: pathFilter of "openIssues" starts from "gitlabProject"; it can only start from the target "gitlabIssue" (or, omitted, from this blueprint)']);
  });

  it('a calculation may not read another calculation', () => {
    expect(problems((b) => {
      b.get('gitlabProject').calculationProperties.lastDefaultBranchPipelineStatus.calculation = '.properties.pipelineSuccessRate30d';
    })).toEqual(['/calculationProperties/lastDefaultBranchPipelineStatus/calculation: calculation "lastDefaultBranchPipelineStatus" reads the calculation property "pipelineSuccessRate30d"; Port does not support a calculation on a calculation (read what "pipelineSuccessRate30d" reads instead)']);
  });

  it('a mirror path follows relations to a field of the target', () => {
    expect(problems((b) => { b.get('gitlabMergeRequest').mirrorProperties.projectPath.path = 'project.path'; }, 'gitlabMergeRequest'))
      .toEqual(['/mirrorProperties/projectPath/path: mirror "projectPath" reads "path", which blueprint "gitlabProject" does not have']);
    expect(problems((b) => { b.get('gitlabMergeRequest').mirrorProperties.projectPath.path = 'project.group.fullPath'; }, 'gitlabMergeRequest')).toEqual([]);
    expect(problems((b) => { b.get('gitlabMergeRequest').mirrorProperties.projectPath.path = 'project.$title'; }, 'gitlabMergeRequest')).toEqual([]);
  });
});
