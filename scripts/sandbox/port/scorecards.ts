// Scorecard routes of the local Port (reference/port-resources.md §1.1): create, replace one
// (PUT; there is no PATCH), replace a blueprint's whole set (PUT with an array), read one, a
// blueprint's, or every scorecard, and delete. Bodies are checked against Port's published schemas
// by the server; here: the blueprint exists (404), an identifier is taken once per blueprint (409)
// and never changes (a PUT naming another identifier is refused), a rule's level is one of the
// scorecard's levels and not the first (Port's documented rule, 422). Levels default to Port's
// Basic/Bronze/Silver/Gold when a body has none.
import { randomBytes } from 'node:crypto';
import type { Scorecard } from '../../../schemas/scorecards-file.schema.ts';
import { getBlueprint } from './blueprints.ts';
import { isoNow, type PortContext, type Writer } from './context.ts';
import { identifierTaken, invalid, notFound } from './errors.ts';
import type { StoredScorecard } from './store.ts';

/** Port's default levels (docs "Levels": Basic, Bronze, Silver, Gold). */
export const DEFAULT_LEVELS = [
  { title: 'Basic', color: 'paleBlue' },
  { title: 'Bronze', color: 'bronze' },
  { title: 'Silver', color: 'silver' },
  { title: 'Gold', color: 'gold' },
];

type ScorecardBody = Omit<Scorecard, 'levels'> & { levels?: Scorecard['levels'] };

function bucket(ctx: PortContext, blueprint: string): Record<string, StoredScorecard> {
  getBlueprint(ctx, blueprint);
  ctx.state.scorecards ??= {};
  return (ctx.state.scorecards[blueprint] ??= {});
}

function checkLevels(body: ScorecardBody): void {
  const levels = body.levels?.length ? body.levels : DEFAULT_LEVELS;
  const titles = levels.map((l) => l.title);
  for (const r of body.rules) {
    if (!titles.includes(r.level)) throw invalid(`Scorecard "${body.identifier}": rule "${r.identifier}" has level "${r.level}", which is not one of the scorecard's levels (${titles.join(', ')})`);
    if (r.level === titles[0]) throw invalid(`Scorecard "${body.identifier}": rule "${r.identifier}" is on the base level "${r.level}"; every entity starts there, so no rule can use it`);
  }
}

function stored(ctx: PortContext, blueprint: string, body: ScorecardBody, writer: Writer, before?: StoredScorecard): StoredScorecard {
  checkLevels(body);
  const at = isoNow(ctx);
  return {
    ...(structuredClone(body) as Omit<StoredScorecard, 'blueprint' | 'levels' | 'id' | 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy'>),
    levels: structuredClone(body.levels?.length ? body.levels : DEFAULT_LEVELS),
    blueprint,
    id: before?.id ?? `scorecard_${randomBytes(8).toString('hex')}`,
    createdAt: before?.createdAt ?? at,
    createdBy: before?.createdBy ?? writer.by,
    updatedAt: at,
    updatedBy: writer.by,
  };
}

export function createScorecard(ctx: PortContext, blueprint: string, body: ScorecardBody, writer: Writer): StoredScorecard {
  const all = bucket(ctx, blueprint);
  if (all[body.identifier]) throw identifierTaken(`Scorecard with identifier "${body.identifier}" already exists on blueprint "${blueprint}"`);
  const sc = stored(ctx, blueprint, body, writer);
  all[sc.identifier] = sc;
  ctx.changed();
  return sc;
}

export function getScorecard(ctx: PortContext, blueprint: string, identifier: string): StoredScorecard {
  const sc = bucket(ctx, blueprint)[identifier];
  if (!sc) throw notFound(`Scorecard with identifier "${identifier}" was not found on blueprint "${blueprint}"`);
  return sc;
}

export function listScorecards(ctx: PortContext, blueprint?: string): StoredScorecard[] {
  if (blueprint !== undefined) return Object.values(bucket(ctx, blueprint));
  return Object.values(ctx.state.scorecards ?? {}).flatMap((b) => Object.values(b));
}

export function putScorecard(ctx: PortContext, blueprint: string, identifier: string, body: ScorecardBody, writer: Writer): StoredScorecard {
  const before = getScorecard(ctx, blueprint, identifier);
  if (body.identifier !== identifier) throw invalid(`Scorecard identifiers cannot change ("${identifier}" → "${body.identifier}"); create a new scorecard and delete the old one`);
  const sc = stored(ctx, blueprint, body, writer, before);
  bucket(ctx, blueprint)[identifier] = sc;
  ctx.changed();
  return sc;
}

/** PUT with an array: the blueprint's scorecards become exactly these (inferred; Port documents no semantics). */
export function putScorecards(ctx: PortContext, blueprint: string, bodies: ScorecardBody[], writer: Writer): StoredScorecard[] {
  const all = bucket(ctx, blueprint);
  const ids = bodies.map((b) => b.identifier);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw invalid(`Scorecard "${dup}" is listed twice`);
  const next = bodies.map((b) => stored(ctx, blueprint, b, writer, all[b.identifier]));
  ctx.state.scorecards![blueprint] = Object.fromEntries(next.map((s) => [s.identifier, s]));
  ctx.changed();
  return next;
}

export function deleteScorecard(ctx: PortContext, blueprint: string, identifier: string): void {
  getScorecard(ctx, blueprint, identifier);
  delete ctx.state.scorecards![blueprint]![identifier];
  ctx.changed();
}
