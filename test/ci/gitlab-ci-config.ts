// What GitLab does with a CI configuration file before it runs anything, for the tests of
// templates/sync.yml and .gitlab-ci.yml: split the `spec:` header from the jobs, check the given
// inputs against `spec:inputs`, interpolate `$[[ inputs.x ]]` into the text, and validate the result
// against GitLab's JSON Schema (schemas/gitlab-ci/ci.json).
//
// Inputs and interpolation follow GitLab's documentation (docs.gitlab.com/ci/inputs/) and its
// implementation (gitlabhq lib/gitlab/ci/config/interpolation/: text_interpolator.rb,
// text_template.rb, block.rb, access.rb, inputs/*.rb), error messages included: inputs are checked
// first (unknown names, missing mandatory values, types, options, regex), then every
// `$[[ access | function … ]]` block of the text after the header is replaced — a string as is,
// any other value as JSON — and only then is the text parsed as YAML. So a boolean input that is a
// whole YAML value becomes a boolean, and inside a longer string it is text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../../scripts/bundle/paths.ts';
import { createAjv, describeErrors } from '../../scripts/schema/ajv.ts';

export type InputType = 'string' | 'number' | 'boolean' | 'array';
export interface InputSpec { type?: InputType; default?: unknown; options?: unknown[]; regex?: string; description?: string; rules?: unknown }
export interface Header { spec: { inputs?: Record<string, InputSpec | null>; [key: string]: unknown } }

/** GitLab refused the configuration; `errors` are its messages. */
export class CiConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.slice(0, 3).join(', ')); // GitLab surfaces at most three, joined so
  }
}

/** Splits a file into its `spec:` header (the first YAML document, when a `---` follows it) and the text of the rest. */
export function splitCiFile(text: string): { header?: Header; body: string } {
  const docs = YAML.parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length < 2) return { body: text };
  const first = docs[0].toJS() as unknown;
  if (typeof first !== 'object' || first === null || !('spec' in first)) return { body: text };
  return { header: first as Header, body: text.slice(docs[1].range[0]) };
}

const TYPES: Record<InputType, (v: unknown) => boolean> = {
  string: (v) => v === null || typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  array: (v) => Array.isArray(v),
};

/** The value of every input: the given one, else the default; GitLab's checks and messages. */
export function resolveInputs(specs: Record<string, InputSpec | null> = {}, args: Record<string, unknown> = {}): Record<string, unknown> {
  const errors: string[] = [];
  const unknown = Object.keys(args).filter((k) => !(k in specs));
  if (unknown.length) errors.push(`unknown input arguments: ${unknown.join(', ')}`);
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(specs)) {
    const spec = raw ?? {};
    const fail = (m: string) => errors.push(`\`${name}\` input: ${m}`);
    if (spec.rules !== undefined) throw new Error(`\`${name}\`: spec:inputs:rules is not modelled by this test helper`);
    const type = spec.type ?? 'string';
    if (!(type in TYPES)) {
      errors.push(`unknown input specification for \`${name}\` (valid types: ${Object.keys(TYPES).join(', ')})`);
      continue;
    }
    const valid = TYPES[type];
    const given = args[name];
    const required = !('default' in spec);
    if (required && (given === undefined || given === null)) { fail('required value has not been provided'); continue; }
    if (!required && !valid(spec.default)) { fail(`default value is not a ${type}`); continue; }
    const value = given === undefined || given === null ? spec.default : given;
    if (!valid(value)) { fail(`provided value is not a ${type}`); continue; }
    if (spec.options && !spec.options.includes(value)) { fail(`\`${String(value)}\` cannot be used because it is not in the list of allowed options`); continue; }
    if (spec.regex !== undefined && typeof value === 'string') {
      // GitLab matches with RE2, unanchored (the pattern carries its own ^…$); the patterns used
      // here are in the subset RE2 and JavaScript share.
      if (!new RegExp(spec.regex).test(value)) { fail(`${given === undefined ? 'default' : 'provided'} value does not match required RegEx pattern`); continue; }
    }
    values[name] = value;
  }
  if (errors.length) throw new CiConfigError(errors);
  return values;
}

const BLOCK = /\$\[\[\s*(.*?)\s*\]\]/g;
const MAX_FUNCTIONS = 3;

/** Ruby's Shellwords.escape, which GitLab's posix_escape applies. */
function posixEscape(s: string): string {
  if (s === '') return "''";
  return s.replace(/[^A-Za-z0-9_\-.,:+/@\n]/g, '\\$&').replace(/\n/g, "'\n'");
}

function applyFunction(fn: string, value: unknown, variables: Record<string, string>): unknown {
  const truncate = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(fn);
  if (truncate && typeof value === 'string') return value.slice(Number(truncate[1]), Number(truncate[1]) + Number(truncate[2]));
  if (fn === 'posix_escape' && typeof value === 'string') return posixEscape(value);
  if (fn === 'expand_vars' && typeof value === 'string') {
    return value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, a, b) => variables[a ?? b] ?? m);
  }
  throw new CiConfigError([`no function matching \`${fn}\`: check that the function name, arguments, and types are correct`]);
}

/** Replaces every `$[[ … ]]` block of `text`; `variables` serve `expand_vars`. */
export function interpolate(text: string, inputs: Record<string, unknown>, variables: Record<string, string> = {}): string {
  const ctx: Record<string, unknown> = { inputs };
  const errors: string[] = [];
  const out = text.replace(BLOCK, (block, data: string) => {
    const [access, ...functions] = data.split('|').map((s) => s.trim());
    const path = access.split('.');
    if (path.length <= 1) { errors.push('invalid interpolation access pattern'); return block; }
    let value: unknown = ctx;
    for (const key of path) {
      if (typeof value !== 'object' || value === null || !(key in value)) { errors.push(`unknown interpolation key: \`${key}\``); return block; }
      value = (value as Record<string, unknown>)[key];
    }
    if (functions.length > MAX_FUNCTIONS) { errors.push('too many functions in interpolation block'); return block; }
    try {
      for (const fn of functions) value = applyFunction(fn, value, variables);
    } catch (err) {
      errors.push(...(err as CiConfigError).errors);
      return block;
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  if (errors.length) throw new CiConfigError(errors);
  return out;
}

/** A file as GitLab sees it when it is included with `inputs`: its header, and its configuration after interpolation. */
export function loadCiFile(text: string, inputs: Record<string, unknown> = {}): { header?: Header; config: Record<string, unknown> } {
  const { header, body } = splitCiFile(text);
  if (!header) {
    if (Object.keys(inputs).length) throw new CiConfigError(['Given inputs not defined in the `spec` section of the included configuration file']);
    return { config: YAML.parse(body) as Record<string, unknown> };
  }
  const values = resolveInputs(header.spec.inputs, inputs);
  return { header, config: YAML.parse(interpolate(body, values)) as Record<string, unknown> };
}

export function readRepoFile(path: string): string {
  return readFileSync(join(PACKAGE_ROOT, path), 'utf8');
}

let validator: ValidateFunction | undefined;

/** Problems GitLab's schema finds in a configuration (or a header), as `path: message` lines; none when valid. */
export function schemaProblems(config: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readRepoFile('schemas/gitlab-ci/ci.json')) as Record<string, unknown>;
    // GitLab's own schema test uses these ajv options (ci_schema_spec.js); `markdownDescription` is an annotation.
    const ajv = createAjv({ strictTypes: false, strictTuples: false, allowMatchingProperties: true });
    ajv.addKeyword('markdownDescription');
    validator = ajv.compile(schema);
  }
  return validator(config) ? [] : describeErrors(validator.errors ?? []);
}
