// One ajv configuration for every schema in the package: Port's published OpenAPI fragments use
// `nullable`, `example` and unicode property escapes (`\p{L}`), so strict mode stays off.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

/** Formats ajv errors as `path: message` lines for humans. */
export function describeErrors(errors: ReadonlyArray<{ instancePath: string; message?: string; params?: unknown }>): string[] {
  return errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params && Object.keys(e.params as object).length ? ' ' + JSON.stringify(e.params) : ''}`);
}
