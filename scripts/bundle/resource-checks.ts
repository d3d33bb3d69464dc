// `validate`'s checks of the scorecard and page files beyond their JSON Schemas: each names a
// blueprint of the bundle, and the properties, relations and scorecards it refers to exist there
// with a type the operator applies to (Port's operator table); scorecard levels follow Port's
// rules; a dashboard's layout places each widget exactly once in rows of 12; the page's own
// fields pass the last published page schema (historical-2024-03/create-pages). A reference Port
// would accept but never match (a typo in a property name) is caught here, not on a blank chart.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PageFile, PageWidget } from '../../schemas/page-file.schema.ts';
import { checkRequestBody } from '../port/api-schemas.ts';
import { fieldNames, fieldType } from '../port/field-types.ts';
import { checkScorecard, operatorProblem } from '../port/scorecard-rules.ts';
import type { Blueprint } from '../port/types.ts';
import type { Bundle } from './load.ts';
import type { BundleProblem } from './problems.ts';

function unlisted(bundle: Bundle, dir: string, listed: readonly string[], part: string): BundleProblem[] {
  const path = join(bundle.root, dir);
  if (!existsSync(path)) return [];
  return readdirSync(path)
    .filter((n) => n.endsWith('.json') && !listed.includes(`${dir}/${n}`))
    .map((n) => ({ file: `${dir}/${n}`, path: '', message: `not listed in template.json parts.${part}, so it is never installed`, fix: `add it to parts.${part}, or delete the file` }));
}

export function scorecardProblems(bundle: Bundle, blueprints: ReadonlyMap<string, Blueprint>): BundleProblem[] {
  const out: BundleProblem[] = [];
  const ids = new Map<string, string>();
  for (const { file, content } of bundle.scorecards) {
    const expected = file.replace(/^.*\//, '').replace(/\.json$/, '');
    if (content.blueprint !== expected) out.push({ file, path: '/blueprint', message: `is "${content.blueprint}" but the file is named ${expected}.json`, fix: 'name the file after the blueprint it scores' });
    const bp = blueprints.get(content.blueprint);
    if (!bp) {
      out.push({ file, path: '/blueprint', message: `"${content.blueprint}" is not a blueprint of this bundle`, fix: `use one of ${[...blueprints.keys()].join(', ')}` });
      continue;
    }
    content.scorecards.forEach((sc, i) => {
      const other = ids.get(sc.identifier);
      if (other) out.push({ file, path: `/scorecards/${i}/identifier`, message: `scorecard "${sc.identifier}" is also defined in ${other}`, fix: 'give each scorecard its own identifier (pages refer to scorecards by identifier alone)' });
      ids.set(sc.identifier, file);
      for (const v of checkScorecard(sc, bp, blueprints)) out.push({ file, path: `/scorecards/${i}${v.path}`, message: v.message, fix: 'refer to a property or relation the blueprint has, with an operator for its type (README "Scorecards")' });
    });
  }
  out.push(...unlisted(bundle, 'scorecards', bundle.template.parts.scorecards ?? [], 'scorecards'));
  return out;
}

/** Scorecard identifiers of one blueprint in the bundle. */
function scorecardsOf(bundle: Bundle, blueprint: string): string[] {
  return bundle.scorecards.filter((s) => s.content.blueprint === blueprint).flatMap((s) => s.content.scorecards.map((sc) => sc.identifier));
}

function widgetProblems(bundle: Bundle, blueprints: ReadonlyMap<string, Blueprint>, w: PageWidget, at: string): Array<{ path: string; message: string; fix: string }> {
  const out: Array<{ path: string; message: string; fix: string }> = [];
  if (w.type === 'markdown') return out;
  const bp = blueprints.get(w.blueprint);
  if (!bp) return [{ path: `${at}/blueprint`, message: `"${w.blueprint}" is not a blueprint of this bundle`, fix: `use one of ${[...blueprints.keys()].join(', ')}` }];
  const scorecards = scorecardsOf(bundle, bp.identifier);
  const field = (name: string, path: string, what: string) => {
    const t = fieldType(bp, name, blueprints);
    if (!t) out.push({ path, message: `${what} "${name}" is not a field of ${bp.identifier} (it has: ${fieldNames(bp).join(', ')}, and the $ meta-properties)`, fix: 'name a property the blueprint has' });
    return t;
  };
  w.dataset.rules.forEach((r, j) => {
    const t = field(r.property, `${at}/dataset/rules/${j}/property`, 'dataset rule on');
    if (!t) return;
    const p = operatorProblem(r.operator, r.value, t);
    if (p) out.push({ path: `${at}/dataset/rules/${j}`, message: p, fix: 'use an operator for the field\'s type (Port\'s operator table)' });
  });
  if (w.type === 'entities-number-chart') {
    if (w.calculationBy === 'property') {
      if (!w.property) out.push({ path: at, message: 'calculationBy "property" needs `property`', fix: 'name the number property to aggregate' });
      else {
        const t = field(w.property, `${at}/property`, 'property');
        if (t && t.type !== 'number') out.push({ path: `${at}/property`, message: `"${w.property}" is ${t.type}; a number chart aggregates a number`, fix: 'pick a number property' });
      }
      if (w.func === 'count') out.push({ path: `${at}/func`, message: 'count counts entities; it takes calculationBy "entities"', fix: 'use calculationBy "entities", or another func' });
    } else if (!['count', 'average'].includes(w.func)) {
      out.push({ path: `${at}/func`, message: `calculationBy "entities" takes func count or average, not ${w.func}`, fix: 'use count, or calculationBy "property"' });
    }
  }
  if (w.type === 'entities-pie-chart') {
    const [kind, name] = w.property.split('#') as [string, string];
    if (kind === 'property') field(name, `${at}/property`, 'property');
    else if (!scorecards.includes(name)) out.push({ path: `${at}/property`, message: `scorecard "${name}" is not a scorecard of ${bp.identifier} in this bundle (it has: ${scorecards.join(', ') || 'none'})`, fix: 'name a scorecard listed in template.json parts.scorecards for that blueprint' });
  }
  if (w.type === 'table-entities-explorer') {
    for (const [key, config] of Object.entries(w.blueprintConfig)) {
      if (key !== bp.identifier) {
        out.push({ path: `${at}/blueprintConfig/${key}`, message: `configures "${key}" but the table shows ${bp.identifier}`, fix: `key the configuration by ${bp.identifier}` });
        continue;
      }
      const columns: Array<[string, string]> = [
        ...(config.propertiesSettings?.order ?? []).map((c, j): [string, string] => [c, `propertiesSettings/order/${j}`]),
        ...(config.propertiesSettings?.hidden ?? []).map((c, j): [string, string] => [c, `propertiesSettings/hidden/${j}`]),
        ...(config.sortSettings?.sortBy ?? []).map((s, j): [string, string] => [s.property, `sortSettings/sortBy/${j}`]),
        ...(config.groupSettings?.groupBy ?? []).map((c, j): [string, string] => [c, `groupSettings/groupBy/${j}`]),
      ];
      for (const [column, path] of columns) {
        if (scorecards.includes(column) || fieldType(bp, column, blueprints)) continue;
        out.push({ path: `${at}/blueprintConfig/${key}/${path}`, message: `column "${column}" is neither a field nor a scorecard of ${bp.identifier}`, fix: `use one of ${[...fieldNames(bp), ...scorecards].join(', ')} or a $ meta-property` });
      }
    }
  }
  return out;
}

function layoutProblems(page: PageFile): Array<{ path: string; message: string; fix: string }> {
  const out: Array<{ path: string; message: string; fix: string }> = [];
  page.widgets.forEach((d, i) => {
    const ids = d.widgets.map((w) => w.id);
    ids.forEach((id, j) => {
      if (ids.indexOf(id) !== j) out.push({ path: `/widgets/${i}/widgets/${j}/id`, message: `widget id "${id}" is used twice`, fix: 'give each widget its own id' });
    });
    const placed: string[] = [];
    d.layout.forEach((row, r) => {
      const total = row.columns.reduce((n, c) => n + c.size, 0);
      if (total !== 12) out.push({ path: `/widgets/${i}/layout/${r}`, message: `the column sizes add up to ${total}; a row is 12 wide`, fix: 'make the sizes of each row add up to 12' });
      row.columns.forEach((c, k) => {
        if (!ids.includes(c.id)) out.push({ path: `/widgets/${i}/layout/${r}/columns/${k}/id`, message: `places "${c.id}", which is not a widget of this dashboard`, fix: `use one of ${ids.join(', ')}` });
        if (placed.includes(c.id)) out.push({ path: `/widgets/${i}/layout/${r}/columns/${k}/id`, message: `places "${c.id}" a second time`, fix: 'place each widget once' });
        placed.push(c.id);
      });
    });
    for (const id of ids) if (!placed.includes(id)) out.push({ path: `/widgets/${i}/layout`, message: `widget "${id}" is not placed in the layout, so Port never shows it`, fix: 'add a column for it, or remove the widget' });
  });
  return out;
}

export function pageProblems(bundle: Bundle, blueprints: ReadonlyMap<string, Blueprint>): BundleProblem[] {
  const out: BundleProblem[] = [];
  for (const { file, content } of bundle.pages) {
    const expected = file.replace(/^.*\//, '').replace(/\.json$/, '');
    if (content.identifier !== expected) out.push({ file, path: '/identifier', message: `is "${content.identifier}" but the file is named ${expected}.json`, fix: 'name the file after the identifier' });
    // The page's own fields against the last published page schema (its widget branches are unusable; see page-file.schema.ts).
    for (const e of checkRequestBody('historical-2024-03/create-pages', { ...content, widgets: [] }).errors) {
      out.push({ file, path: e.instancePath, message: `Port's 2024-03 create-pages schema: ${e.message ?? e.keyword}`, fix: 'see schemas/port-api/historical-2024-03/create-pages.json' });
    }
    for (const p of layoutProblems(content)) out.push({ file, ...p });
    content.widgets.forEach((d, i) => d.widgets.forEach((w, j) => {
      for (const p of widgetProblems(bundle, blueprints, w, `/widgets/${i}/widgets/${j}`)) out.push({ file, ...p });
    }));
  }
  out.push(...unlisted(bundle, 'pages', bundle.template.parts.pages ?? [], 'pages'));
  return out;
}
