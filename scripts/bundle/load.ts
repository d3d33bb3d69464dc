// Reads the bundle (template.json and the files it names) and checks each file against its JSON
// Schema in schemas/. Port's own rules, jq and cross-file checks are `validate`'s job.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { ErrorObject } from 'ajv';
import { createAjv } from '../schema/ajv.ts';
import { templateSchema, type TemplateManifest } from '../../schemas/template.schema.ts';
import { webhookFileSchema, type WebhookFile } from '../../schemas/webhook-file.schema.ts';
import { webhookEventFileSchema, type WebhookEventFile } from '../../schemas/webhook-event-file.schema.ts';
import { backfillFileSchema, type BackfillFile } from '../../schemas/backfill-file.schema.ts';
import { functionsFileSchema } from '../../schemas/functions-file.schema.ts';
import { scorecardsFileSchema, type ScorecardsFile } from '../../schemas/scorecards-file.schema.ts';
import { pageFileSchema, type PageFile } from '../../schemas/page-file.schema.ts';
import { checkRequestBody } from '../port/api-schemas.ts';
import type { Blueprint as PortBlueprint } from '../port/types.ts';
import { PACKAGE_ROOT } from './paths.ts';
import { BundleError, type BundleProblem } from './problems.ts';

export interface Loaded<T> {
  file: string;
  content: T;
}

export interface Bundle {
  root: string;
  packageVersion: string;
  template: TemplateManifest;
  /** In creation order (template.json parts.blueprints). */
  blueprints: Array<Loaded<PortBlueprint>>;
  webhook: Loaded<WebhookFile>;
  /** In the order webhook.yaml lists them. */
  events: Array<Loaded<WebhookEventFile>>;
  /** name → `def name: …;` */
  functions: Record<string, string>;
  /** In backfill order (template.json parts.backfill). */
  backfill: Array<Loaded<BackfillFile>>;
  /** template.json parts.scorecards (none when the part is absent). */
  scorecards: Array<Loaded<ScorecardsFile>>;
  /** template.json parts.pages (none when the part is absent). */
  pages: Array<Loaded<PageFile>>;
}

const ajv = createAjv();
const validators = {
  template: ajv.compile(templateSchema),
  webhook: ajv.compile(webhookFileSchema),
  event: ajv.compile(webhookEventFileSchema),
  backfill: ajv.compile(backfillFileSchema),
  functions: ajv.compile(functionsFileSchema),
  scorecards: ajv.compile(scorecardsFileSchema),
  page: ajv.compile(pageFileSchema),
};

function schemaProblems(file: string, errors: readonly ErrorObject[] | null | undefined, fix: string): BundleProblem[] {
  return (errors ?? []).map((e) => ({
    file,
    path: e.instancePath,
    message: `${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ` (${JSON.stringify(e.params)})` : ''}`,
    fix,
  }));
}

function readText(root: string, file: string, problems: BundleProblem[]): string | undefined {
  const path = join(root, file);
  if (!existsSync(path)) {
    problems.push({ file, path: '', message: 'file not found', fix: 'create it, or remove it from the list that names it' });
    return undefined;
  }
  return readFileSync(path, 'utf8');
}

function readJson(root: string, file: string, problems: BundleProblem[]): unknown {
  const text = readText(root, file, problems);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push({ file, path: '', message: `invalid JSON: ${(err as Error).message}`, fix: 'fix the JSON syntax' });
    return undefined;
  }
}

function readYaml(root: string, file: string, problems: BundleProblem[]): unknown {
  const text = readText(root, file, problems);
  if (text === undefined) return undefined;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const line = e.linePos?.[0];
      problems.push({ file, path: line ? `line ${line.line}, column ${line.col}` : '', message: `invalid YAML: ${e.message.split('\n')[0]}`, fix: 'fix the YAML syntax (quote jq expressions that contain `:` or start with `.` followed by `"`)' });
    }
    return undefined;
  }
  return doc.toJS();
}

/** Reads and schema-checks every bundle file; returns what it could read and every problem. */
export function readBundle(root: string = PACKAGE_ROOT): { bundle?: Bundle; problems: BundleProblem[] } {
  const problems: BundleProblem[] = [];
  const pkg = readJson(root, 'package.json', problems) as { version?: string } | undefined;
  const template = readJson(root, 'template.json', problems);
  if (!template) return { problems };
  if (!validators.template(template)) {
    problems.push(...schemaProblems('template.json', validators.template.errors, 'see schemas/template.schema.ts'));
    return { problems };
  }
  const manifest = template as TemplateManifest;

  const blueprints: Bundle['blueprints'] = [];
  for (const file of manifest.parts.blueprints) {
    const bp = readJson(root, file, problems);
    if (bp === undefined) continue;
    const check = checkRequestBody('create-a-blueprint', bp);
    if (!check.ok) {
      problems.push(...schemaProblems(file, check.errors, "make the blueprint match Port's create-a-blueprint request schema (schemas/port-api/create-a-blueprint.json)"));
      continue;
    }
    blueprints.push({ file, content: bp as PortBlueprint });
  }

  const functionsRaw = readYaml(root, manifest.parts.functions, problems);
  let functions: Record<string, string> = {};
  if (functionsRaw !== undefined) {
    if (validators.functions(functionsRaw)) functions = (functionsRaw as { functions: Record<string, string> }).functions;
    else problems.push(...schemaProblems(manifest.parts.functions, validators.functions.errors, 'see schemas/functions-file.schema.ts'));
  }

  const webhookRaw = readYaml(root, manifest.parts.webhook, problems);
  let webhook: Loaded<WebhookFile> | undefined;
  const events: Bundle['events'] = [];
  if (webhookRaw !== undefined) {
    if (!validators.webhook(webhookRaw)) {
      problems.push(...schemaProblems(manifest.parts.webhook, validators.webhook.errors, 'see schemas/webhook-file.schema.ts'));
    } else {
      webhook = { file: manifest.parts.webhook, content: webhookRaw as WebhookFile };
      const dir = manifest.parts.webhook.replace(/\.yaml$/, '');
      for (const name of webhook.content.events) {
        const file = `${dir}/${name}`;
        const raw = readYaml(root, file, problems);
        if (raw === undefined) continue;
        if (validators.event(raw)) events.push({ file, content: raw as WebhookEventFile });
        else problems.push(...schemaProblems(file, validators.event.errors, 'see schemas/webhook-event-file.schema.ts and README "Mappings"'));
      }
      if (existsSync(join(root, dir))) {
        for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.yaml')).sort()) {
          if (!webhook.content.events.includes(name)) {
            problems.push({ file: `${dir}/${name}`, path: '', message: `not listed in ${manifest.parts.webhook} → events, so its mappings are never sent to Port`, fix: `add "${name}" to events in ${manifest.parts.webhook}, or delete the file` });
          }
        }
      }
    }
  }

  const backfill: Bundle['backfill'] = [];
  for (const file of manifest.parts.backfill) {
    const raw = readYaml(root, file, problems);
    if (raw === undefined) continue;
    if (validators.backfill(raw)) backfill.push({ file, content: raw as BackfillFile });
    else problems.push(...schemaProblems(file, validators.backfill.errors, 'see schemas/backfill-file.schema.ts and README "Mappings"'));
  }

  const scorecards: Bundle['scorecards'] = [];
  for (const file of manifest.parts.scorecards ?? []) {
    const raw = readJson(root, file, problems);
    if (raw === undefined) continue;
    if (!validators.scorecards(raw)) {
      problems.push(...schemaProblems(file, validators.scorecards.errors, 'see schemas/scorecards-file.schema.ts (each scorecard is the body of Port\'s create-a-scorecard)'));
      continue;
    }
    const content = raw as ScorecardsFile;
    let ok = true;
    content.scorecards.forEach((sc, i) => {
      const check = checkRequestBody('create-a-scorecard', sc);
      if (!check.ok) {
        ok = false;
        problems.push(...schemaProblems(file, check.errors.map((e) => ({ ...e, instancePath: `/scorecards/${i}${e.instancePath}` })), "make the scorecard match Port's create-a-scorecard request schema (schemas/port-api/create-a-scorecard.json)"));
      }
    });
    if (ok) scorecards.push({ file, content });
  }

  const pages: Bundle['pages'] = [];
  for (const file of manifest.parts.pages ?? []) {
    const raw = readJson(root, file, problems);
    if (raw === undefined) continue;
    if (validators.page(raw)) pages.push({ file, content: raw as PageFile });
    else problems.push(...schemaProblems(file, validators.page.errors, 'see schemas/page-file.schema.ts (the page body Port\'s clients send to POST /v1/pages)'));
  }

  if (problems.length || !webhook || !pkg?.version) {
    if (!pkg?.version) problems.push({ file: 'package.json', path: '/version', message: 'missing', fix: 'set the package version' });
    return { problems };
  }
  return {
    bundle: { root, packageVersion: pkg.version, template: manifest, blueprints, webhook, events, functions, backfill, scorecards, pages },
    problems,
  };
}

/** The bundle, or a BundleError listing every problem. */
export function loadBundle(root: string = PACKAGE_ROOT): Bundle {
  const { bundle, problems } = readBundle(root);
  if (!bundle) throw new BundleError(problems);
  return bundle;
}
