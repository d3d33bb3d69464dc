// "Does Port hold what we sent?": Port answers a resource with fields of its own (ids, audit
// fields, defaults), so what it returns is compared with the body we send only on the keys we
// send, at every depth. Arrays must match element for element.
import { jsonEqual } from '../blueprint-plan.ts';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `have` restricted to the shape of `want`. */
export function projectOnto(have: unknown, want: unknown): unknown {
  if (Array.isArray(want)) return Array.isArray(have) && have.length === want.length ? have.map((h, i) => projectOnto(h, want[i])) : have;
  if (isObj(want)) return isObj(have) ? Object.fromEntries(Object.keys(want).filter((k) => k in have).map((k) => [k, projectOnto(have[k], want[k])])) : have;
  return have;
}

/** Whether Port's `have` carries every key and value of `want` (extra keys of Port's ignored). */
export function holds(have: unknown, want: unknown): boolean {
  return jsonEqual(projectOnto(have, want), want);
}

/** Dotted paths (`widgets.0.widgets.3.title`) where `have` differs from `want`, at most `limit`. */
export function differences(have: unknown, want: unknown, path = '', limit = 5, out: string[] = []): string[] {
  if (out.length >= limit) return out;
  if (Array.isArray(want) && Array.isArray(have) && have.length === want.length) {
    want.forEach((w, i) => differences(have[i], w, path ? `${path}.${i}` : String(i), limit, out));
  } else if (isObj(want) && isObj(have)) {
    for (const k of Object.keys(want)) differences(have[k], want[k], path ? `${path}.${k}` : k, limit, out);
  } else if (!jsonEqual(have, want)) {
    out.push(path || '(whole)');
  }
  return out.slice(0, limit);
}
