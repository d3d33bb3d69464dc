// The shared jq functions inlined into mappings, on both engines.
import { beforeAll, describe, expect, it } from 'vitest';
import { inlineFunctions } from '../../scripts/bundle/inline-functions.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { createMappingEngine, type MappingEngine } from '../../scripts/mapping/engine.ts';
import { ENGINES, onEngine, requireNativeEngine } from '../helpers/engines.ts';

const { functions } = loadBundle();

for (const name of ENGINES) describe(`mappings/functions.yaml on ${name}`, onEngine(name), () => {
  let engine: MappingEngine;
  beforeAll(async () => {
    if (name === 'port-native') requireNativeEngine();
    engine = await createMappingEngine({ engine: name });
  });
  const call = (fn: string, value: unknown) => engine.evaluateExpression(`${functions[fn]} .v | ${fn}`, { v: value });

  it.each([
    ['2016-08-12 15:23:28 UTC', '2016-08-12T15:23:28Z'], // webhook payloads
    ['2021-04-28 21:50:00 +0200', '2021-04-28T21:50:00+02:00'], // deployment hooks
    ['2021-04-28 21:50:00 -0730', '2021-04-28T21:50:00-07:30'],
    ['2013-12-03T17:15:43Z', '2013-12-03T17:15:43Z'], // REST
    ['2024-01-15T10:20:30.123Z', '2024-01-15T10:20:30.123Z'],
    ['2019-03-21T10:00:00.000+01:00', '2019-03-21T10:00:00.000+01:00'],
    ['2021-04-28T21:50:00+0200', '2021-04-28T21:50:00+02:00'],
    ['2015-04-08T21: 00:25-07:00', null], // a typo in GitLab's own docs
    ['2024-01-15', null],
    ['2024-01-15T10:20:30', null], // no zone: not RFC 3339
    ['2024-01-15T10:20:30.1-0500', '2024-01-15T10:20:30.1-05:00'],
    ['', null],
    ['x', null],
    ['2024-01-15 10:20:30 UTCX', null],
    ['garbage', null],
    [null, null],
    [42, null],
  ])('gitlab_date(%j) = %j', (input, expected) => {
    expect(call('gitlab_date', input)).toEqual({ value: expected });
  });

  it.each([
    ['v1.0', 'v1.0'],
    ['v1.0 beta#1', 'v1.0_beta_1'],
    ['release/ü-2', 'release/ü-2'],
    [12, '12'],
    [null, null], // an absent tag or id stays absent, never "null"
  ])('port_id(%j) = %j', (input, expected) => {
    expect(call('port_id', input)).toEqual({ value: expected });
  });

  it.each([
    [380, '380'],
    ['380', '380'],
    [null, null], // `null | tostring` would be "null": an entity of that name
    ['', null],
  ])('gitlab_id(%j) = %j', (input, expected) => {
    expect(call('gitlab_id', input)).toEqual({ value: expected });
  });

  it.each([
    [[100, 64], '100-64'],
    [[2, 'v1.1'], '2-v1.1'],
    [[null, 64], null], // not "null-64"
    [[100, ''], null],
  ])('joined_id(%j) = %j', (input, expected) => {
    expect(call('joined_id', input)).toEqual({ value: expected });
  });

  it.each([
    [10, 'Guest'],
    [15, 'Planner'],
    [50, 'Owner'],
    ['Developer', 'Developer'],
    [99, '99'],
  ])('access_level_name(%j) = %j', (input, expected) => {
    expect(call('access_level_name', input)).toEqual({ value: expected });
  });

  it.each([
    [0, 'private'],
    [10, 'internal'],
    [20, 'public'],
    ['public', 'public'],
  ])('visibility_name(%j) = %j', (input, expected) => {
    expect(call('visibility_name', input)).toEqual({ value: expected });
  });

  // The metric helpers, with the functions they call inlined as `render` does.
  const inlined = (fn: string, value: unknown) => engine.evaluateExpression(inlineFunctions(`.v | ${fn}`, functions), { v: value });

  it.each([
    ['1970-01-01T00:00:00Z', 0],
    ['2016-08-12 15:23:28 UTC', Date.parse('2016-08-12T15:23:28Z') / 1000], // webhook
    ['2016-08-12T15:23:28.987Z', Date.parse('2016-08-12T15:23:28Z') / 1000], // REST: the fraction is dropped
    ['2021-04-28 21:50:00 +0200', Date.parse('2021-04-28T19:50:00Z') / 1000], // deployment hook
    ['2021-04-28T21:50:00-07:30', Date.parse('2021-04-29T05:20:00Z') / 1000],
    ['2024-02-29T23:59:59Z', Date.parse('2024-02-29T23:59:59Z') / 1000], // leap day
    ['2000-03-01T00:00:00Z', Date.parse('2000-03-01T00:00:00Z') / 1000], // 400-year leap rule
    ['2100-03-01T00:00:00Z', Date.parse('2100-03-01T00:00:00Z') / 1000], // no leap day in 2100
    ['2026-12-31T23:00:00-01:00', Date.parse('2027-01-01T00:00:00Z') / 1000], // year boundary via offset
    ['garbage', null],
    [null, null],
  ])('gitlab_epoch(%j) = %j', async (input, expected) => {
    expect(await inlined('gitlab_epoch', input)).toEqual({ value: expected });
  });

  it.each([
    [['2016-08-12 15:23:28 UTC', '2016-08-12 17:23:28 UTC'], 2],
    [['2016-08-12T15:23:28.400Z', '2016-08-13T15:53:28.100Z'], 24.5],
    [['2016-08-12 15:23:28 UTC', '2016-08-12T15:24:00Z'], 0.01], // 32 s: 0.0089 h rounds up
    [['2016-08-12 15:23:28 UTC', '2016-08-12T15:23:45Z'], 0], // 17 s rounds down
    [['2021-04-28 21:50:00 +0200', '2021-04-28T20:50:00Z'], 1], // offsets compared as instants
    [['2016-08-12 15:23:28 UTC', null], null], // not merged
    [[null, '2016-08-12 15:23:28 UTC'], null],
  ])('elapsed_hours(%j) = %j', async (input, expected) => {
    expect(await inlined('elapsed_hours', input)).toEqual({ value: expected });
  });

  it.each([
    [['main', 'main'], true],
    [['feature', 'main'], false],
    [['refs/merge-requests/1/head', 'main'], false],
    [['main', null], null], // unknown default branch: not "off the default branch"
    [[null, 'main'], null],
  ])('on_default_branch(%j) = %j', async (input, expected) => {
    expect(await inlined('on_default_branch', input)).toEqual({ value: expected });
  });

  it.each([
    [{ id: 31, status: 'created' }, 496],
    [{ id: 31, status: 'success' }, 501],
    [{ id: 31, status: 'scheduled' }, 507],
    [{ id: '2000000001', status: 'failed' }, 32000000022], // gitlab.com-sized ids stay exact
    [{ id: 31, status: 'no-such-status' }, null],
    [{ id: null, status: 'success' }, null],
    [{ id: 31 }, null],
  ])('pipeline_status_key(%j) = %j', async (input, expected) => {
    expect(await inlined('pipeline_status_key', input)).toEqual({ value: expected });
  });
});
