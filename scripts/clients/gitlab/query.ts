// Query and body encoding as gitbeaker's own requester does it (camelCase keys → snake_case,
// arrays as `key[]=v`), so gitbeaker's resource methods behave the same on our requester.

export function decamelizeKey(key: string): string {
  return key.replace(/([a-z\d])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z\d]+)/g, '$1_$2').toLowerCase();
}

export function decamelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decamelizeKeys);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [decamelizeKey(k), decamelizeKeys(v)]));
  }
  return value;
}

/** `{a: 1, b: [x, y], c: {d: 2}}` → `a=1&b[]=x&b[]=y&c[d]=2` (undefined skipped). */
export function formatQuery(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  const parts: string[] = [];
  const add = (key: string, v: unknown): void => {
    if (v === undefined) return;
    if (v === null) parts.push(`${encodeURIComponent(key)}=`);
    else if (Array.isArray(v)) v.forEach((item) => add(`${key}[]`, item));
    else if (v instanceof Date) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v.toISOString())}`);
    else if (typeof v === 'object') for (const [k, inner] of Object.entries(v)) add(`${key}[${k}]`, inner);
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  };
  for (const [k, v] of Object.entries(decamelizeKeys(params) as Record<string, unknown>)) add(k, v);
  return parts.join('&');
}
