/**
 * Virtual sequences: a list is `{length, at(i)}` computed on demand, so paging through a
 * 200,000-object listing never holds more than a page of objects. Filtering keeps only sparse
 * checkpoints (one raw index every CHECKPOINT matches), cached per query, so sequential pages
 * cost O(page) after one counting pass.
 */
export interface Seq<T> {
  readonly length: number;
  at(i: number): T;
}

export function rangeSeq<T>(length: number, get: (i: number) => T): Seq<T> {
  return { length: Math.max(0, length), at: get };
}

export function arraySeq<T>(items: readonly T[]): Seq<T> {
  return { length: items.length, at: (i) => items[i] };
}

export function reversed<T>(s: Seq<T>): Seq<T> {
  return { length: s.length, at: (i) => s.at(s.length - 1 - i) };
}

export function concat<T>(...parts: Seq<T>[]): Seq<T> {
  const nonEmpty = parts.filter((p) => p.length > 0);
  const length = nonEmpty.reduce((n, p) => n + p.length, 0);
  return {
    length,
    at(i) {
      for (const p of nonEmpty) {
        if (i < p.length) return p.at(i);
        i -= p.length;
      }
      throw new RangeError('index out of range');
    },
  };
}

export function mapSeq<T, U>(s: Seq<T>, f: (t: T) => U): Seq<U> {
  return { length: s.length, at: (i) => f(s.at(i)) };
}

export function slice<T>(s: Seq<T>, start: number, end: number): T[] {
  const out: T[] = [];
  for (let i = Math.max(0, start); i < Math.min(end, s.length); i++) out.push(s.at(i));
  return out;
}

const CHECKPOINT = 64;

type FilterIndex = { count: number; checkpoints: number[] };

/** A small LRU of filter indexes keyed by query + state version. */
export class FilterCache {
  private readonly entries = new Map<string, FilterIndex>();
  constructor(private readonly max = 64) {}
  get(key: string): FilterIndex | undefined {
    const v = this.entries.get(key);
    if (v) { this.entries.delete(key); this.entries.set(key, v); }
    return v;
  }
  set(key: string, v: FilterIndex): void {
    this.entries.set(key, v);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
  get size(): number { return this.entries.size; }
}

/** The elements of `s` satisfying `pred`, as a Seq. `cacheKey` must change whenever `s` or `pred` do. */
export function filtered<T>(s: Seq<T>, pred: (t: T) => boolean, cache?: FilterCache, cacheKey?: string): Seq<T> {
  let index = cache && cacheKey ? cache.get(cacheKey) : undefined;
  if (!index) {
    const checkpoints: number[] = [];
    let count = 0;
    for (let i = 0; i < s.length; i++) {
      if (!pred(s.at(i))) continue;
      if (count % CHECKPOINT === 0) checkpoints.push(i);
      count++;
    }
    index = { count, checkpoints };
    if (cache && cacheKey) cache.set(cacheKey, index);
  }
  const { count, checkpoints } = index;
  return {
    length: count,
    at(i) {
      if (i < 0 || i >= count) throw new RangeError('index out of range');
      let raw = checkpoints[Math.floor(i / CHECKPOINT)];
      let seen = Math.floor(i / CHECKPOINT) * CHECKPOINT;
      for (; raw < s.length; raw++) {
        const item = s.at(raw);
        if (!pred(item)) continue;
        if (seen === i) return item;
        seen++;
      }
      throw new RangeError('filtered sequence changed under its cache key');
    },
  };
}
