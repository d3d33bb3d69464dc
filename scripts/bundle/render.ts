// Turns the bundle into exactly the bodies the installer sends to Port: blueprints (full
// definitions, in creation order) and the webhook (mappings assembled from the event files,
// install options resolved, shared functions inlined, the secret filled in or masked).
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import type { BackfillKind } from '../../schemas/backfill-file.schema.ts';
import type { PageFile } from '../../schemas/page-file.schema.ts';
import type { Scorecard } from '../../schemas/scorecards-file.schema.ts';
import type { Blueprint, Webhook, WebhookMapping } from '../port/types.ts';
import type { Bundle } from './load.ts';
import { inlineFunctions } from './inline-functions.ts';

/** Install options that mappings gate on with `when` (template.json inputs with `option`). */
export type BundleOptions = Record<string, boolean>;

export const MASKED_SECRET = '********';

export function defaultOptions(bundle: Bundle): BundleOptions {
  const options: BundleOptions = {};
  for (const input of bundle.template.inputs) if (input.option) options[input.option] = input.default === true;
  return options;
}

function gateOpen(when: string | undefined, options: BundleOptions): boolean {
  if (!when) return true;
  return when.startsWith('!') ? !options[when.slice(1)] : options[when] === true;
}

function inlineMapping(m: BundleMapping, functions: Record<string, string>): BundleMapping {
  const f = (e: string) => inlineFunctions(e, functions);
  const out: BundleMapping = { blueprint: m.blueprint, filter: f(m.filter), entity: { identifier: f(m.entity.identifier) } };
  if (m.operation) out.operation = m.operation;
  if (m.itemsToParse !== undefined) out.itemsToParse = f(m.itemsToParse);
  for (const k of ['title', 'icon', 'team'] as const) if (m.entity[k] !== undefined) out.entity[k] = f(m.entity[k]!);
  if (m.entity.properties) out.entity.properties = Object.fromEntries(Object.entries(m.entity.properties).map(([k, e]) => [k, f(e)]));
  if (m.entity.relations) out.entity.relations = Object.fromEntries(Object.entries(m.entity.relations).map(([k, e]) => [k, f(e)]));
  return out;
}

/** Key order Port's UI shows, and no `when` (Port's schema forbids extra keys). */
function toPortMapping(m: BundleMapping): WebhookMapping {
  const { when: _when, ...rest } = m;
  return { blueprint: rest.blueprint, operation: rest.operation ?? { type: 'create' }, filter: rest.filter, ...(rest.itemsToParse !== undefined ? { itemsToParse: rest.itemsToParse } : {}), entity: rest.entity };
}

/** The webhook mappings, in order, as the engine and Port evaluate them. */
export function renderWebhookMappings(bundle: Bundle, options: BundleOptions = defaultOptions(bundle)): BundleMapping[] {
  return bundle.events.flatMap((e) => e.content.mappings.filter((m) => gateOpen(m.when, options)).map((m) => toPortMapping(inlineMapping(m, bundle.functions)) as BundleMapping));
}

export interface RenderWebhookOptions {
  options?: BundleOptions;
  /** The per-install secret; masked when absent (for display). */
  secret?: string;
}

/** The body of `POST /v1/webhooks` (and PUT on update). */
export function renderWebhook(bundle: Bundle, { options, secret }: RenderWebhookOptions = {}): Webhook & { identifier: string } {
  const w = bundle.webhook.content;
  return {
    identifier: w.identifier,
    title: w.title,
    ...(w.description !== undefined ? { description: w.description } : {}),
    ...(w.icon !== undefined ? { icon: w.icon } : {}),
    enabled: w.enabled,
    ...(w.integrationType ? { integrationType: w.integrationType } : {}),
    security: { secret: secret ?? MASKED_SECRET, ...w.security },
    mappings: renderWebhookMappings(bundle, options ?? defaultOptions(bundle)) as WebhookMapping[],
  };
}

/** Blueprint bodies in creation order. */
export function renderBlueprints(bundle: Bundle): Blueprint[] {
  return bundle.blueprints.map((b) => structuredClone(b.content));
}

/** One scorecard and the blueprint it is created on (`POST /v1/blueprints/{blueprint}/scorecards`). */
export interface RenderedScorecard {
  blueprint: string;
  scorecard: Scorecard;
}

/** Scorecard bodies, in template.json order. */
export function renderScorecards(bundle: Bundle): RenderedScorecard[] {
  return bundle.scorecards.flatMap((f) => f.content.scorecards.map((scorecard) => ({ blueprint: f.content.blueprint, scorecard: structuredClone(scorecard) })));
}

/** Page bodies (`POST /v1/pages`), in template.json order. */
export function renderPages(bundle: Bundle): PageFile[] {
  return bundle.pages.map((p) => structuredClone(p.content));
}

/** The backfill mappings of one kind, functions inlined and options resolved. */
export function renderBackfillMappings(bundle: Bundle, kind: BackfillKind, options: BundleOptions = defaultOptions(bundle)): BundleMapping[] {
  const file = bundle.backfill.find((b) => b.content.kind === kind);
  if (!file) throw new Error(`no backfill mapping for kind "${kind}" in template.json parts.backfill`);
  return file.content.mappings.filter((m) => gateOpen(m.when, options)).map((m) => toPortMapping(inlineMapping(m, bundle.functions)) as BundleMapping);
}

/** The keys of `.object` and `.parent` the kind's mappings read (`fields`), or undefined: all. */
export function backfillFields(bundle: Bundle, kind: BackfillKind): { object?: readonly string[]; parent?: readonly string[] } {
  return bundle.backfill.find((b) => b.content.kind === kind)?.content.fields ?? {};
}
