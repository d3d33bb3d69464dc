// The shared jq functions inlined into mappings, on both engines.
import { beforeAll, describe, expect, it } from 'vitest';
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
});
