// What the install changes in Port's scorecards: each of the bundle's scorecards is created when
// its blueprint has none with that identifier, replaced (PUT: Port has no PATCH, and identifiers
// never change) when what Port holds differs, and left alone when it holds the bundle's. Rules a
// user added to one of our scorecards in Port are kept in the PUT, as blueprint properties they
// add are kept; so is a filter they set where the bundle has none.
import type { RenderedScorecard } from '../../bundle/render.ts';
import type { PortClient } from '../../clients/port/index.ts';
import { listScorecards, type StoredScorecard } from '../../clients/port/resources.ts';
import type { Scorecard } from '../../../schemas/scorecards-file.schema.ts';
import { differences, holds } from './compare.ts';

export interface ScorecardPlanItem {
  blueprint: string;
  identifier: string;
  action: 'create' | 'update' | 'unchanged';
  /** The body to send (POST or PUT). */
  body: Scorecard;
  /** What differs (update), and the user's rules the PUT keeps. */
  changes: string[];
}

export interface ScorecardPlan {
  items: ScorecardPlanItem[];
}

/** Reads each blueprint's scorecards once (blueprints this run creates have none: no read). */
export async function readScorecards(port: PortClient, blueprints: readonly string[]): Promise<Map<string, StoredScorecard[]>> {
  const out = new Map<string, StoredScorecard[]>();
  for (const bp of new Set(blueprints)) out.set(bp, await listScorecards(port, bp));
  return out;
}

function planOne(want: RenderedScorecard, have: StoredScorecard | undefined): ScorecardPlanItem {
  const base = { blueprint: want.blueprint, identifier: want.scorecard.identifier };
  if (!have) return { ...base, action: 'create', body: want.scorecard, changes: want.scorecard.rules.map((r) => `+ rule ${r.identifier} (${r.level})`) };
  const ours = new Set(want.scorecard.rules.map((r) => r.identifier));
  const theirs = (have.rules ?? []).filter((r) => !ours.has(r.identifier));
  const body: Scorecard = {
    ...want.scorecard,
    ...(want.scorecard.filter === undefined && have.filter ? { filter: have.filter } : {}),
    rules: [...want.scorecard.rules, ...theirs],
  };
  const wantShape = { ...body, rules: undefined };
  const changes: string[] = [];
  for (const path of differences({ ...have, rules: undefined }, wantShape)) changes.push(`~ ${path}`);
  for (const r of want.scorecard.rules) {
    const h = (have.rules ?? []).find((x) => x.identifier === r.identifier);
    if (!h) changes.push(`+ rule ${r.identifier} (${r.level})`);
    else if (!holds(h, r)) changes.push(`~ rule ${r.identifier}: ${differences(h, r).join(', ')}`);
  }
  if (!changes.length) return { ...base, action: 'unchanged', body, changes: [] };
  for (const r of theirs) changes.push(`= rule ${r.identifier} (added in Port: kept)`);
  return { ...base, action: 'update', body, changes };
}

export function planScorecards(desired: readonly RenderedScorecard[], existing: ReadonlyMap<string, readonly StoredScorecard[]>): ScorecardPlan {
  return { items: desired.map((d) => planOne(d, existing.get(d.blueprint)?.find((s) => s.identifier === d.scorecard.identifier))) };
}

export function formatScorecardPlan(plan: ScorecardPlan): string {
  const lines: string[] = [];
  for (const i of plan.items) {
    const name = `${i.blueprint}/${i.identifier}`;
    if (i.action === 'unchanged') {
      lines.push(`  = ${name} (unchanged)`);
      continue;
    }
    lines.push(`  ${i.action === 'create' ? '+' : '~'} ${name} (${i.action === 'create' ? 'create' : 'update, PUT'})`);
    for (const c of i.changes) lines.push(`      ${c}`);
  }
  return lines.join('\n');
}
