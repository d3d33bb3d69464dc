// `validate`'s checks beyond the per-file JSON Schemas: Port's blueprint rules, mappings that
// name real blueprints/properties/relations, jq that compiles and that Port accepts (lowercase
// quoted headers, `| tostring` on identifiers and relations, no builtins newer than jq 1.6,
// quotes that survive Port's rewrite), identifiers that an absent id does not turn into "null",
// the rendered webhook against Port's published schema, and the manifest's version.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BackfillFile } from '../../schemas/backfill-file.schema.ts';
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { BUILTINS_NEWER_THAN_JQ_1_6, BUILTINS_REMOVED_AFTER_JQ_1_6, rewriteIsStableWhenEmbedded } from '../jq/port-semantics.ts';
import type { MappingEngine } from '../mapping/engine.ts';
import { GROUP_HOOK_EVENT_FLAGS } from '../clients/gitlab/hooks.ts';
import { checkRequestBody } from '../port/api-schemas.ts';
import { checkBlueprint } from '../port/blueprint-rules.ts';
import { checkDerivedReferences } from '../port/derived-rules.ts';
import type { Blueprint } from '../port/types.ts';
import type { Bundle } from './load.ts';
import type { BundleProblem } from './problems.ts';
import { inlineFunctions } from './inline-functions.ts';
import { missingIdProblems } from './missing-id-probe.ts';
import { renderWebhook } from './render.ts';
import { pageProblems, scorecardProblems } from './resource-checks.ts';

/** Group-hook event flags GitLab accepts (gitlab.md §1.1). */
export const GITLAB_HOOK_EVENT_FLAGS: ReadonlySet<string> = new Set(GROUP_HOOK_EVENT_FLAGS);

function builtinPattern(nameArity: string): RegExp {
  const [name, arity] = nameArity.split('/');
  const n = Number(arity);
  // name/0: the bare word not followed by `(`; name/N: the word followed by `(` (arity by `;` count is checked loosely).
  return n === 0 ? new RegExp(`(^|[^.$A-Za-z0-9_@])${name}(?![A-Za-z0-9_(])(?!\\s*\\()`) : new RegExp(`(^|[^.$A-Za-z0-9_@])${name}\\s*\\(`);
}

function argCount(expression: string, name: string): number[] {
  // Arity of each call `name(a; b)`: count top-level `;` inside the parentheses.
  const counts: number[] = [];
  const re = new RegExp(`(^|[^.$A-Za-z0-9_@])${name}\\s*\\(`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(expression))) {
    let depth = 1;
    let semis = 0;
    let inString = false;
    for (let i = m.index + m[0].length; i < expression.length && depth > 0; i++) {
      const c = expression[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ';' && depth === 1) semis++;
    }
    counts.push(semis + 1);
  }
  return counts;
}

function stripStrings(expression: string): string {
  return expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

/** Problems with one jq expression as Port would run it. */
export function expressionProblems(expression: string, engine: MappingEngine): Array<{ message: string; fix: string }> {
  const out: Array<{ message: string; fix: string }> = [];
  const error = engine.compileError(expression);
  if (error) out.push({ message: `jq does not compile: ${error}`, fix: 'fix the expression; `npx port-gitlab preview` shows what it yields' });
  const code = stripStrings(expression);
  for (const b of BUILTINS_NEWER_THAN_JQ_1_6) {
    const [name, arity] = b.split('/');
    const used = Number(arity) === 0 ? builtinPattern(b).test(code) : argCount(code, name!).includes(Number(arity));
    if (used) out.push({ message: `uses ${b}, which Port's jq 1.6 engine does not have (the field would be null in Port)`, fix: 'rewrite it with jq 1.6 builtins' });
  }
  for (const b of BUILTINS_REMOVED_AFTER_JQ_1_6) {
    if (builtinPattern(b).test(code)) out.push({ message: `uses ${b}, which newer jq removed`, fix: 'use a builtin that jq 1.6 and later both have' });
  }
  const headerRefs = expression.matchAll(/\.headers\s*(?:\.\s*("?)([^"\s|)\]]+)\1|\[\s*"([^"]+)"\s*\])/g);
  for (const h of headerRefs) {
    const name = h[2] ?? h[3] ?? '';
    const quoted = h[1] === '"' || h[3] !== undefined;
    if (name !== name.toLowerCase()) out.push({ message: `header "${name}" is not lowercase; Port lowercases header names, so this is always null`, fix: `write .headers."${name.toLowerCase()}"` });
    else if (!quoted && /[^A-Za-z0-9_]/.test(name)) out.push({ message: `header ${name} must be quoted (a "-" is jq subtraction)`, fix: `write .headers."${name}"` });
  }
  if (!rewriteIsStableWhenEmbedded(expression)) {
    out.push({ message: 'a single quote next to the start or end of the expression is rewritten differently by Port depending on context', fix: 'use double quotes for string literals' });
  }
  return out;
}

/** An identifier or relation value must be a string in Port: the expression must end in a string. */
function yieldsString(expression: string): boolean {
  const e = expression.trim();
  return /\|\s*(tostring|port_id|gitlab_id|joined_id)\s*\)?\s*$/.test(e) || /^"(?:[^"\\]|\\.)*"$/.test(e) || /\btostring\s*\)\s*$/.test(e) || e === 'null';
}

function mappingProblems(
  file: string,
  base: string,
  m: BundleMapping,
  blueprints: ReadonlyMap<string, Blueprint>,
  bundle: Bundle,
  engine: MappingEngine,
  optionNames: ReadonlySet<string>,
): BundleProblem[] {
  const out: BundleProblem[] = [];
  const bp = blueprints.get(m.blueprint);
  if (!bp) out.push({ file, path: `${base}/blueprint`, message: `blueprint "${m.blueprint}" is not in the bundle`, fix: `use one of ${[...blueprints.keys()].join(', ')}` });
  if (m.when && !optionNames.has(m.when.replace(/^!/, ''))) {
    out.push({ file, path: `${base}/when`, message: `"${m.when}" names no install option`, fix: `use one of ${[...optionNames].join(', ') || '(none declared)'} — template.json inputs[].option` });
  }
  const check = (path: string, expression: string) => {
    for (const p of expressionProblems(inlineFunctions(expression, bundle.functions), engine)) out.push({ file, path: `${base}${path}`, ...p });
  };
  check('/filter', m.filter);
  if (m.itemsToParse !== undefined) check('/itemsToParse', m.itemsToParse);
  check('/entity/identifier', m.entity.identifier);
  if (!yieldsString(m.entity.identifier)) out.push({ file, path: `${base}/entity/identifier`, message: 'identifier does not end in `| tostring` or `| gitlab_id`; Port needs a string', fix: 'append `| gitlab_id` (a string, or null when the id is absent)' });
  for (const k of ['title', 'icon', 'team'] as const) if (m.entity[k] !== undefined) check(`/entity/${k}`, m.entity[k]!);
  if (m.operation?.type === 'delete' && (m.entity.title || m.entity.properties || m.entity.relations)) {
    out.push({ file, path: `${base}/entity`, message: 'a delete mapping may only have entity.identifier (Port rejects the rest)', fix: 'remove the other entity keys' });
  }
  for (const [k, e] of Object.entries(m.entity.properties ?? {})) {
    check(`/entity/properties/${k}`, e);
    if (bp && !bp.schema.properties[k]) out.push({ file, path: `${base}/entity/properties/${k}`, message: `property "${k}" is not in blueprint ${m.blueprint}`, fix: `add it to blueprints/${m.blueprint}.json or use one of ${Object.keys(bp.schema.properties).join(', ')}` });
  }
  for (const [k, e] of Object.entries(m.entity.relations ?? {})) {
    check(`/entity/relations/${k}`, e);
    if (!yieldsString(e)) out.push({ file, path: `${base}/entity/relations/${k}`, message: 'relation value does not end in `| tostring` or `| gitlab_id`; Port needs a string identifier', fix: 'append `| gitlab_id` (a string, or null when the id is absent)' });
    if (bp && !bp.relations?.[k]) out.push({ file, path: `${base}/entity/relations/${k}`, message: `relation "${k}" is not in blueprint ${m.blueprint}`, fix: `add it to blueprints/${m.blueprint}.json or use one of ${Object.keys(bp.relations ?? {}).join(', ') || '(none)'}` });
  }
  return out;
}

/**
 * A backfill file that declares `fields` hands jq only those keys, so a mapping reading any
 * other key would silently get null: report every `.object.x` / `.parent.x` read not declared.
 */
function undeclaredReads(file: string, content: BackfillFile): BundleProblem[] {
  const out: BundleProblem[] = [];
  content.mappings.forEach((m, i) => {
    for (const expression of mappingExpressions(m)) {
      for (const [, root, key] of stripStrings(expression).matchAll(/\.(object|parent)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        const declared = content.fields?.[root as 'object' | 'parent'];
        if (declared && !declared.includes(key!)) {
          out.push({ file, path: `/mappings/${i}`, message: `reads .${root}.${key}, which fields.${root} does not list (the backfill would give it null)`, fix: `add ${key} to fields.${root}` });
        }
      }
    }
  });
  return out;
}

function mappingExpressions(m: BundleMapping): string[] {
  return [m.filter, m.itemsToParse, m.entity.identifier, m.entity.title, m.entity.icon, m.entity.team, ...Object.values(m.entity.properties ?? {}), ...Object.values(m.entity.relations ?? {})].filter(
    (e): e is string => e !== undefined,
  );
}

export function validateBundle(bundle: Bundle, engine: MappingEngine): BundleProblem[] {
  const out: BundleProblem[] = [];
  // Compile every expression in one go (bisecting only failures); the checks below then hit the cache.
  engine.compileErrors([
    bundle.webhook.content.security.requestIdentifierPath,
    ...[...bundle.events, ...bundle.backfill].flatMap((f) => f.content.mappings.flatMap(mappingExpressions)).map((e) => inlineFunctions(e, bundle.functions)),
  ]);
  if (bundle.template.version !== bundle.packageVersion) {
    out.push({ file: 'template.json', path: '/version', message: `is ${bundle.template.version} but package.json says ${bundle.packageVersion}`, fix: 'set both to the same version' });
  }

  const blueprints = new Map<string, Blueprint>();
  for (const { file, content } of bundle.blueprints) {
    const expected = file.replace(/^.*\//, '').replace(/\.json$/, '');
    if (content.identifier !== expected) out.push({ file, path: '/identifier', message: `is "${content.identifier}" but the file is named ${expected}.json`, fix: 'name the file after the identifier' });
    if (blueprints.has(content.identifier)) out.push({ file, path: '/identifier', message: `duplicate blueprint ${content.identifier}`, fix: 'remove one' });
    blueprints.set(content.identifier, content);
  }
  const known = new Set(blueprints.keys());
  const position = new Map(bundle.blueprints.map((b, i) => [b.content.identifier, i]));
  for (const { file, content } of bundle.blueprints) {
    for (const v of checkBlueprint(content, known)) out.push({ file, path: v.path, message: v.message, fix: 'see Port\'s blueprint rules in README "Data model"' });
    for (const v of checkDerivedReferences(content, (id) => blueprints.get(id))) out.push({ file, path: v.path, message: v.message, fix: 'see README "Metrics" for what aggregation, calculation and mirror properties may name' });
    // Port runs calculations with the same jq 1.6 engine as mappings.
    for (const [cid, calc] of Object.entries(content.calculationProperties ?? {})) {
      for (const p of expressionProblems(calc.calculation, engine)) out.push({ file, path: `/calculationProperties/${cid}/calculation`, ...p });
    }
    for (const [rel, r] of Object.entries(content.relations ?? {})) {
      const target = position.get(r.target);
      if (target !== undefined && r.target !== content.identifier && target > position.get(content.identifier)!) {
        out.push({ file, path: `/relations/${rel}`, message: `targets ${r.target}, which template.json creates later`, fix: `list blueprints/${r.target}.json before this file in template.json parts.blueprints` });
      }
    }
  }

  const optionNames = new Set(bundle.template.inputs.flatMap((i) => (i.option ? [i.option] : [])));
  for (const { file, content } of bundle.events) {
    for (const flag of content.hookEvents) {
      if (!GITLAB_HOOK_EVENT_FLAGS.has(flag)) out.push({ file, path: '/hookEvents', message: `"${flag}" is not a GitLab group-hook event flag`, fix: `use one of ${[...GITLAB_HOOK_EVENT_FLAGS].join(', ')}` });
    }
    content.mappings.forEach((m, i) => out.push(...mappingProblems(file, `/mappings/${i}`, m, blueprints, bundle, engine, optionNames)));
  }
  for (const { file, content } of bundle.backfill) {
    content.mappings.forEach((m, i) => out.push(...mappingProblems(file, `/mappings/${i}`, m, blueprints, bundle, engine, optionNames)));
    out.push(...undeclaredReads(file, content));
  }
  out.push(...missingIdProblems(bundle, engine));
  const kinds = bundle.backfill.map((b) => b.content.kind);
  kinds.forEach((k, i) => {
    if (kinds.indexOf(k) !== i) out.push({ file: bundle.backfill[i]!.file, path: '/kind', message: `kind ${k} is mapped twice`, fix: 'merge the files' });
  });

  const webhookFile = bundle.webhook.file;
  for (const p of expressionProblems(bundle.webhook.content.security.requestIdentifierPath, engine)) {
    out.push({ file: webhookFile, path: '/security/requestIdentifierPath', ...p });
  }
  // Every combination of install options must render a webhook Port accepts.
  const combos: Array<Record<string, boolean>> = [{}];
  for (const o of optionNames) combos.splice(0, combos.length, ...combos.flatMap((c) => [{ ...c, [o]: false }, { ...c, [o]: true }]));
  for (const options of combos) {
    const check = checkRequestBody('create-a-webhook', renderWebhook(bundle, { options, secret: 'x'.repeat(32) }));
    for (const e of check.errors) {
      out.push({ file: webhookFile, path: `(rendered, options ${JSON.stringify(options)})${e.instancePath}`, message: `Port's create-a-webhook schema: ${e.message}`, fix: 'fix the mapping at that index (mappings are numbered across the event files in order)' });
    }
  }
  out.push(...scorecardProblems(bundle, blueprints), ...pageProblems(bundle, blueprints));
  const dir = join(bundle.root, 'blueprints');
  for (const name of existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : []) {
    const file = `blueprints/${name}`;
    if (!bundle.template.parts.blueprints.includes(file)) out.push({ file, path: '', message: 'not listed in template.json parts.blueprints, so it is never installed', fix: 'add it (after the blueprints it relates to), or delete the file' });
  }
  return out;
}
