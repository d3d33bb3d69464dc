// The local Port's computed properties beyond what the bundle uses (test/metrics covers those):
// path directions, every aggregation function, per-period averages, mirrors through "many"
// relations, date rules, calculations that fail, and Port's 20,000-entity holder limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortClient } from '../../../scripts/clients/port/index.ts';
import type { Blueprint } from '../../../scripts/port/types.ts';
import { aggregateFor, type AggregateEnv } from '../../../scripts/sandbox/port/computed/aggregate.ts';
import { dateRange } from '../../../scripts/sandbox/port/computed/date-range.ts';
import { startLocalPort, type LocalPort } from '../../../scripts/sandbox/port/server.ts';
import type { StoredEntity } from '../../../scripts/sandbox/port/store.ts';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

let port: LocalPort;
let client: PortClient;

// team ←(team)— service ←(service)— build; service —(libs, many)→ lib; team —(parent)→ team
const blueprints: Blueprint[] = [
  { identifier: 'team', title: 'Team', schema: { properties: { name: { type: 'string' } } }, relations: { parent: { target: 'team', required: false, many: false } } },
  { identifier: 'lib', title: 'Lib', schema: { properties: { version: { type: 'string' } } } },
  { identifier: 'service', title: 'Service', schema: { properties: { tier: { type: 'string' } } }, relations: { team: { target: 'team', required: false, many: false }, libs: { target: 'lib', required: false, many: true } } },
  { identifier: 'build', title: 'Build', schema: { properties: { minutes: { type: 'number' }, at: { type: 'string', format: 'date-time' }, ok: { type: 'boolean' } } }, relations: { service: { target: 'service', required: false, many: false } } },
];

beforeAll(async () => {
  port = await startLocalPort({ rateLimit: false, now: () => NOW });
  client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url });
  for (const b of blueprints) await client.createBlueprint(b);
  await client.upsertEntities('team', [{ identifier: 'root', properties: { name: 'Root' } }, { identifier: 'child', properties: { name: 'Child' }, relations: { parent: 'root' } }]);
  await client.upsertEntities('lib', [{ identifier: 'a', properties: { version: '1' } }, { identifier: 'b', properties: { version: '2' } }]);
  await client.upsertEntities('service', [
    { identifier: 'web', properties: { tier: 'gold' }, relations: { team: 'root', libs: ['a', 'b'] } },
    { identifier: 'job', properties: { tier: 'bronze' }, relations: { team: 'child', libs: [] } },
  ]);
  // web: 10, 20, 30, 40 minutes over 15 days; job: 5 minutes, 40 days ago.
  await client.upsertEntities('build', [
    { identifier: 'b1', properties: { minutes: 10, at: iso(NOW - 15 * DAY), ok: true }, relations: { service: 'web' } },
    { identifier: 'b2', properties: { minutes: 20, at: iso(NOW - 10 * DAY), ok: false }, relations: { service: 'web' } },
    { identifier: 'b3', properties: { minutes: 30, at: iso(NOW - 5 * DAY), ok: true }, relations: { service: 'web' } },
    { identifier: 'b4', properties: { minutes: 40, at: iso(NOW - 1 * DAY), ok: true }, relations: { service: 'web' } },
    { identifier: 'b5', properties: { minutes: 5, at: iso(NOW - 40 * DAY), ok: true }, relations: { service: 'job' } },
  ]);
});
afterAll(async () => {
  await port?.close();
});

async function props(blueprint: string, id: string) {
  return (await client.getEntity(blueprint, id))!.properties!;
}

const count = { calculationBy: 'entities', func: 'count' };
const by = (func: string, extra: Record<string, unknown> = {}) => ({ calculationBy: 'property', func, property: 'minutes', ...extra });

describe('local Port: computed properties', () => {
  it('aggregations by property, by entities per period, with date rules', async () => {
    await client.patchBlueprint('service', {
      aggregationProperties: {
        builds: { title: 'Builds', target: 'build', calculationSpec: count },
        okBuilds: { title: 'OK', target: 'build', calculationSpec: count, query: { combinator: 'and', rules: [{ property: 'ok', operator: '=', value: true }] } },
        total: { title: 'Sum', target: 'build', calculationSpec: by('sum') },
        least: { title: 'Min', target: 'build', calculationSpec: by('min') },
        most: { title: 'Max', target: 'build', calculationSpec: by('max') },
        middle: { title: 'Median', target: 'build', calculationSpec: by('median') },
        mean: { title: 'Mean', target: 'build', calculationSpec: by('average', { averageOf: 'total' }) },
        // 100 minutes over builds spanning 14 days (b1 → b4): 2 weeks.
        minutesPerWeek: { title: 'Per week', target: 'build', calculationSpec: by('average', { averageOf: 'week', measureTimeBy: 'at' }) },
        // 4 builds spanning 14 days, a partial day counting whole: 4 / 14.
        buildsPerDay: { title: 'Per day', target: 'build', calculationSpec: { calculationBy: 'entities', func: 'average', averageOf: 'day', measureTimeBy: 'at' } },
        lastWeek: { title: 'Last week', target: 'build', calculationSpec: count, query: { combinator: 'and', rules: [{ property: 'at', operator: 'between', value: { preset: 'lastWeek' } }] } },
        notLastWeek: { title: 'Not last week', target: 'build', calculationSpec: count, query: { combinator: 'and', rules: [{ property: 'at', operator: 'notBetween', value: { preset: 'lastWeek' } }] } },
        range: { title: 'Range', target: 'build', calculationSpec: count, query: { combinator: 'and', rules: [{ property: 'at', operator: 'between', value: { from: iso(NOW - 12 * DAY), to: iso(NOW - 4 * DAY) } }] } },
      },
    });
    expect(await props('service', 'web')).toMatchObject({
      builds: 4, okBuilds: 3, total: 100, least: 10, most: 40, middle: 25, mean: 25, minutesPerWeek: 50, buildsPerDay: 4 / 14, lastWeek: 2, notLastWeek: 2, range: 2,
    });
    expect(await props('service', 'job')).toMatchObject({ builds: 1, total: 5, least: 5, middle: 5, mean: 5, minutesPerWeek: 5, buildsPerDay: 1, lastWeek: 0, range: 0 });
  });

  it('paths: forwards from the holder, backwards from the target, and every chain when no pathFilter is given', async () => {
    await client.patchBlueprint('team', {
      aggregationProperties: {
        // build → service → team: builds of the team's own services.
        directBuilds: { title: 'Direct', target: 'build', calculationSpec: count, pathFilter: [{ path: ['service', 'team'], fromBlueprint: 'build' }] },
        // One more hop: builds of the services of the team's child teams.
        childBuilds: { title: 'Child', target: 'build', calculationSpec: count, pathFilter: [{ path: ['service', 'team', 'parent'], fromBlueprint: 'build' }] },
        // No pathFilter: both chains (the parent relation followed at most once).
        allBuilds: { title: 'All', target: 'build', calculationSpec: count },
        // Forwards from the holder: the parent team.
        parents: { title: 'Parents', target: 'team', calculationSpec: count, pathFilter: [{ path: ['parent'] }] },
      },
    });
    expect(await props('team', 'root')).toMatchObject({ directBuilds: 4, childBuilds: 1, allBuilds: 5, parents: 0 });
    expect(await props('team', 'child')).toMatchObject({ directBuilds: 1, childBuilds: 0, allBuilds: 1, parents: 1 });
  });

  it('mirrors, through single and many relations; calculations that fail or return the wrong type are empty', async () => {
    await client.patchBlueprint('build', {
      mirrorProperties: { teamName: { path: 'service.team.name' }, libVersions: { path: 'service.libs.version' }, serviceTitle: { path: 'service.$identifier' } },
      calculationProperties: {
        label: { type: 'string', calculation: '"\\(.properties.teamName)/\\(.identifier)"' },
        broken: { type: 'number', calculation: '.properties.minutes | error("no")' },
        wrongType: { type: 'number', calculation: '.properties.teamName' },
      },
    });
    expect(await props('build', 'b1')).toMatchObject({ teamName: 'Root', libVersions: ['1', '2'], serviceTitle: 'web', label: 'Root/b1', broken: null, wrongType: null });
    expect(await props('build', 'b5')).toMatchObject({ teamName: 'Child', libVersions: [], label: 'Child/b5' });
    // Computed values cannot be written.
    const r = await client.upsertEntities('build', [{ identifier: 'b1', properties: { teamName: 'x' } }]);
    expect(r.failed).toBe(1);
  });

  it('date presets are Port\'s: the past N days, and UTC calendar days', () => {
    expect(dateRange({ preset: 'lastMonth' }, NOW)).toEqual({ from: NOW - 30 * DAY, to: NOW });
    expect(dateRange({ preset: 'last3Months' }, NOW)).toEqual({ from: NOW - 90 * DAY, to: NOW });
    expect(dateRange({ preset: 'today' }, NOW)).toEqual({ from: Date.parse('2026-03-02T00:00:00Z'), to: Date.parse('2026-03-03T00:00:00Z') - 1 });
    expect(() => dateRange({ preset: 'lastFortnight' }, NOW)).toThrow(/not one of/);
  });

  it('an aggregation on a blueprint of more than 20,000 entities is not computed (Port\'s documented limit)', () => {
    const entity = (bp: string, identifier: string, relations: Record<string, string> = {}): StoredEntity => ({
      identifier, blueprint: bp, title: null, icon: null, team: null, properties: {}, relations, createdAt: '', updatedAt: '', createdBy: '', updatedBy: '', datasource: null,
    });
    const holders = Array.from({ length: 20_001 }, (_, i) => entity('service', `s${i}`));
    const targets = [entity('build', 'x', { service: 's0' })];
    const env = (n: number): AggregateEnv => ({
      blueprint: (id) => blueprints.find((b) => b.identifier === id) as never,
      entities: (bp) => (bp === 'service' ? holders.slice(0, n) : targets),
      entity: (bp, id) => (bp === 'service' ? holders.find((h) => h.identifier === id) : targets.find((t) => t.identifier === id)),
      target: () => undefined,
      now: () => NOW,
    });
    const spec = { target: 'build', calculationSpec: count as never };
    expect(aggregateFor(env(20_000), 'service', [holders[0]!], spec).get('s0')).toBe(1);
    expect(aggregateFor(env(20_001), 'service', [holders[0]!], spec).get('s0')).toBeNull();
  });
});
