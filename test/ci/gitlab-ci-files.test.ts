// templates/sync.yml (the CI/CD component) and .gitlab-ci.yml (a fork's CI) are valid for GitLab:
// the component's `spec:` header and its jobs after interpolating the inputs' defaults, the root
// file, and the root file with its local include expanded, against GitLab's JSON Schema; and what
// GitLab refuses (an unknown or mistyped input, a value outside the options or the regex, a typo in
// an interpolation block, a key GitLab does not have) is refused here too.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { CiConfigError, loadCiFile, readRepoFile, resolveInputs, schemaProblems, splitCiFile, interpolate, type Header } from './gitlab-ci-config.ts';

const COMPONENT = readRepoFile('templates/sync.yml');
const ROOT = readRepoFile('.gitlab-ci.yml');
const PACKAGE = JSON.parse(readRepoFile('package.json')) as { version: string; files: string[] };
const MANDATORY = { groups: 'my-group' };

/** The message GitLab would show for `inputs`, or undefined when it accepts them. */
function refusal(text: string, inputs: Record<string, unknown>): string | undefined {
  try {
    loadCiFile(text, inputs);
    return undefined;
  } catch (err) {
    if (err instanceof CiConfigError) return err.message;
    throw err;
  }
}

describe('the vendored schema', () => {
  test('is GitLab\'s file as recorded in PROVENANCE.md, with its NOTICE', () => {
    const sha = createHash('sha256').update(readRepoFile('schemas/gitlab-ci/ci.json')).digest('hex');
    expect(readRepoFile('schemas/gitlab-ci/PROVENANCE.md')).toContain(sha);
    expect(readRepoFile('schemas/gitlab-ci/NOTICE')).toMatch(/Apache License, Version 2\.0/);
  });

  test('rejects what GitLab rejects: a job-level schedule: (Port\'s published gitlab-v2 recipe), an unknown header key', () => {
    expect(schemaProblems({ sync: { script: ['true'], schedule: [{ cron: '0 */3 * * *' }] } })).toEqual([
      expect.stringContaining('must NOT have additional properties {"additionalProperty":"schedule"}'),
    ]);
    expect(schemaProblems({ spec: { inputs: {}, description: 'x'.repeat(257) } }).length).toBeGreaterThan(0);
    expect(schemaProblems({ spec: { inputs: { a: { type: 'boolean', default: 'yes' } } } }).length).toBeGreaterThan(0);
  });
});

describe('templates/sync.yml, the component', () => {
  const { header, body } = splitCiFile(COMPONENT);

  test('has a spec: header, separated by ---, that GitLab\'s schema accepts', () => {
    expect(header?.spec.inputs).toBeDefined();
    expect(body.startsWith('---')).toBe(true);
    expect(schemaProblems(header)).toEqual([]);
  });

  test('declares the inputs of the recipe, each described; only `groups` is mandatory', () => {
    const inputs = (header as Header).spec.inputs!;
    expect(Object.keys(inputs).sort()).toEqual(['gitlab-url', 'groups', 'image', 'mode', 'port-api-url', 'repair-hooks', 'run-if', 'stage', 'version']);
    for (const [name, spec] of Object.entries(inputs)) expect(spec?.description, name).toMatch(/\w/);
    expect(Object.entries(inputs).filter(([, s]) => !s || !('default' in s)).map(([n]) => n)).toEqual(['groups']);
  });

  test('runs the package version it is released with (the default `version` is package.json\'s)', () => {
    expect((header as Header).spec.inputs!.version!.default).toBe(PACKAGE.version);
  });

  test('with the defaults, its job is valid for GitLab and is the recipe: schedules only, one at a time, secrets from variables, summary kept', () => {
    const { config } = loadCiFile(COMPONENT, MANDATORY);
    expect(schemaProblems(config)).toEqual([]);
    expect(Object.keys(config)).toEqual(['port-gitlab-sync']);
    const job = config['port-gitlab-sync'] as Record<string, any>;
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    expect(job.resource_group).toBe('port-gitlab-sync');
    expect(job.interruptible).toBe(false);
    expect(job.image).toBe('node:20-slim');
    expect(job.stage).toBe('deploy');
    expect(job.variables).toMatchObject({ GITLAB_GROUPS: 'my-group', GITLAB_URL: '$CI_SERVER_URL', PORT_API_URL: 'eu', PORT_GITLAB_PACKAGE: `port-gitlab-template@${PACKAGE.version}` });
    // No secret is a job variable or an input: they come from masked CI/CD variables.
    for (const secret of ['PORT_CLIENT_ID', 'PORT_CLIENT_SECRET', 'GITLAB_TOKEN', 'CI_JOB_TOKEN']) {
      expect(job.variables).not.toHaveProperty(secret);
      for (const [name, spec] of Object.entries((header as Header).spec.inputs!)) expect(`${name} ${String(spec?.default)}`).not.toContain(secret);
    }
    expect(Object.keys((header as Header).spec.inputs!).filter((n) => /token|secret|password|client/i.test(n))).toEqual([]);
    expect(job.script.at(-1)).toBe('port-gitlab sync --json --yes $SYNC_FULL $SYNC_HOOKS > port-gitlab-sync.json');
    expect(job.artifacts).toEqual({ when: 'always', paths: ['port-gitlab-sync.json'], expire_in: '30 days' });
  });

  test('every option of `mode` and `repair-hooks`, and the other inputs given, give a valid job that passes the right flags', () => {
    for (const [mode, repairHooks, flags] of [['incremental', false, ' --skip-hooks'], ['full', false, '--full --skip-hooks'], ['full', true, '--full '], ['incremental', true, ' ']] as const) {
      const { config } = loadCiFile(COMPONENT, {
        groups: 'acme, 42', mode, 'repair-hooks': repairHooks, 'gitlab-url': 'https://gitlab.example.com', 'port-api-url': 'us', version: '^1.2.0',
        image: 'node:22', stage: 'sync', 'run-if': '$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web"',
      });
      expect(schemaProblems(config)).toEqual([]);
      const job = config['port-gitlab-sync'] as Record<string, any>;
      // The lines that turn the inputs into flags, run as the job runs them.
      const lines = job.script.filter((l: string) => /SYNC_(FULL|HOOKS)=/.test(l)).join('\n');
      expect(execFileSync('bash', ['-c', `set -eo pipefail\n${lines}\nprintf '%s %s' "$SYNC_FULL" "$SYNC_HOOKS"`], { encoding: 'utf8' })).toBe(flags);
      expect(job.rules[0].if).toBe('$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web"');
    }
  });

  test('GitLab\'s refusals: a typo\'d or unknown input, a wrong type, a missing mandatory input, a value outside options or regex', () => {
    expect(refusal(COMPONENT, { group: 'my-group' })).toBe('unknown input arguments: group, `groups` input: required value has not been provided');
    expect(refusal(COMPONENT, {})).toBe('`groups` input: required value has not been provided');
    expect(refusal(COMPONENT, { ...MANDATORY, mode: true })).toBe('`mode` input: provided value is not a string');
    expect(refusal(COMPONENT, { ...MANDATORY, 'repair-hooks': 'yes' })).toBe('`repair-hooks` input: provided value is not a boolean');
    expect(refusal(COMPONENT, { ...MANDATORY, mode: 'fast' })).toBe('`mode` input: `fast` cannot be used because it is not in the list of allowed options');
    expect(refusal(COMPONENT, { ...MANDATORY, 'port-api-url': 'mars' })).toBe('`port-api-url` input: provided value does not match required RegEx pattern');
    expect(refusal(COMPONENT, { groups: 'a,,b' })).toBe('`groups` input: provided value does not match required RegEx pattern');
    expect(refusal(COMPONENT, { ...MANDATORY, 'gitlab-url': 'gitlab.example.com' })).toBe('`gitlab-url` input: provided value does not match required RegEx pattern');
    expect(refusal(COMPONENT, { ...MANDATORY, version: '' })).toBe('`version` input: provided value does not match required RegEx pattern');
  });

  test('a typo in an interpolation block of the template is refused, and a typed input keeps its type only as a whole value', () => {
    expect(refusal(COMPONENT.replace('$[[ inputs.stage ]]', '$[[ inputs.stgae ]]'), MANDATORY)).toBe('unknown interpolation key: `stgae`');
    expect(refusal(COMPONENT.replace('$[[ inputs.stage ]]', '$[[ input.stage ]]'), MANDATORY)).toBe('unknown interpolation key: `input`');
    expect(interpolate('a: $[[ inputs.n ]]\nb: x$[[ inputs.n ]]\nc: $[[ inputs.s | truncate(1,3) ]]', { n: true, s: 'abcdef' })).toBe('a: true\nb: xtrue\nc: bcd');
    expect(YAML.parse(interpolate('a: $[[ inputs.n ]]', resolveInputs({ n: { type: 'boolean', default: false } })))).toEqual({ a: false });
    // The schema then sees what GitLab would: a typed job key given a string fails.
    const config = loadCiFile(COMPONENT.replace('interruptible: false', 'interruptible: $[[ inputs.stage ]]'), MANDATORY).config;
    expect(schemaProblems(config)).toEqual([expect.stringContaining('/port-gitlab-sync/interruptible: must be boolean')]);
  });
});

describe('.gitlab-ci.yml, a fork\'s CI', () => {
  test('is valid for GitLab\'s schema as written', () => {
    expect(splitCiFile(ROOT).header).toBeUndefined();
    expect(schemaProblems(YAML.parse(ROOT))).toEqual([]);
  });

  test('its local include of the component gives valid inputs; the merged pipeline is valid: tests on MRs, sync of this checkout on schedules', () => {
    const root = YAML.parse(ROOT) as { include: Array<{ local: string; inputs: Record<string, unknown> }>; [job: string]: unknown };
    expect(root.include).toEqual([{ local: 'templates/sync.yml', inputs: { groups: '$CI_PROJECT_ROOT_NAMESPACE', version: 'file:$CI_PROJECT_DIR' } }]);
    const { include, ...jobs } = root;
    const component = loadCiFile(readRepoFile(include[0].local), include[0].inputs).config;
    const merged = { ...component, ...jobs };
    expect(schemaProblems(merged)).toEqual([]);
    expect(Object.keys(merged).sort()).toEqual(['port-gitlab-sync', 'test']);
    const sync = merged['port-gitlab-sync'] as Record<string, any>;
    expect(sync.variables.PORT_GITLAB_PACKAGE).toBe('port-gitlab-template@file:$CI_PROJECT_DIR');
    const testJob = merged.test as Record<string, any>;
    expect(testJob.image).toMatch(/^node:20/);
    expect(testJob.rules[0]).toEqual({ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' });
    expect(testJob.script).toEqual(['bash .ci/run']);
  });
});

test('the component is not part of the npm package (GitLab reads it from the repository)', () => {
  expect(PACKAGE.files).not.toContain('templates');
});
