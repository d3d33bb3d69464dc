/**
 * Stateless deterministic hashing: every generated field is a pure function of
 * (seed, salt, index), which is what lets the generator compute object k on demand instead of
 * storing every object.
 */
export function h32(seed: number, salt: number, index: number): number {
  let x = (seed ^ Math.imul(salt + 0x632be5ab, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform in [0, 1). */
export function unit(seed: number, salt: number, index: number): number {
  return h32(seed, salt, index) / 4294967296;
}

/** Integer in [min, max]. */
export function between(seed: number, salt: number, index: number, min: number, max: number): number {
  return min + (h32(seed, salt, index) % (max - min + 1));
}

export function pick<T>(seed: number, salt: number, index: number, items: readonly T[]): T {
  return items[h32(seed, salt, index) % items.length];
}

/** 40 hex chars that look like a commit SHA. */
export function sha40(seed: number, salt: number, index: number): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += h32(seed, salt + i * 7919, index).toString(16).padStart(8, '0');
  return out;
}

/** Index of the last element of a non-decreasing prefix array `starts` that is <= value. */
export function findSlot(starts: ArrayLike<number>, value: number, count: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= value) lo = mid; else hi = mid - 1;
  }
  return lo;
}
