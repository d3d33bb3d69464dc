// Identifiers seen in GitLab during this run, per blueprint, for reconcile. Only identifiers are
// kept (never objects): numeric ones as numbers, which V8 stores far more compactly than strings.
export class IdSet {
  private readonly numbers = new Set<number>();
  private readonly strings = new Set<string>();

  add(id: string): void {
    if (isCompactNumber(id)) this.numbers.add(Number(id));
    else this.strings.add(id);
  }

  has(id: string): boolean {
    return isCompactNumber(id) ? this.numbers.has(Number(id)) : this.strings.has(id);
  }

  /** Every identifier, as strings. */
  *[Symbol.iterator](): IterableIterator<string> {
    for (const n of this.numbers) yield String(n);
    yield* this.strings;
  }

  get size(): number {
    return this.numbers.size + this.strings.size;
  }
}

/** "123" (no sign, no leading zero, safe integer) round-trips through Number exactly. */
function isCompactNumber(id: string): boolean {
  return id.length > 0 && id.length < 16 && /^(0|[1-9]\d*)$/.test(id);
}
