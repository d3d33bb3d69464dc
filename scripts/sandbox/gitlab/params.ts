/** Query-parameter parsing with GitLab's error shape (`400 {"error":"<param> is invalid"}`). */
export class ParamError extends Error {
  constructor(readonly body: unknown, readonly status = 400) { super(JSON.stringify(body)); }
}

export function boolParam(q: URLSearchParams, name: string, fallback?: boolean): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ParamError({ error: `${name} is invalid` });
}

export function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ParamError({ error: `${name} is invalid` });
  return t;
}

export function enumParam<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T;
export function enumParam<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T | undefined;
export function enumParam<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ParamError({ error: `${name} does not have a valid value` });
  return v as T;
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new ParamError({ error: `${name} is invalid` });
  return Number(v);
}

/** `labels=a,b` as GitLab accepts it. */
export function listParam(q: URLSearchParams, name: string): string[] | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `scope[]=a&scope[]=b` or `scope=a`. */
export function arrayParam(q: URLSearchParams, name: string): string[] {
  return [...q.getAll(`${name}[]`), ...q.getAll(name)].filter(Boolean);
}
