// The CLI is a batch tool: it trades a little GC time for a heap that stays near its live size.
// V8 lets a heap grow to several times what is live when the allocation rate is high (a backfill
// parses and serialises ~1 GB of JSON): the large benchmark's main thread kept ~45 MB live in a
// 190 MB heap. Growth capped at 20% per step: peak RSS 350 → 224 MB, no measurable loss in speed
// (`npm run bench`, README "Benchmarks"). V8 reads the flag at each collection, so setting it at
// start-up (before anything big is allocated) takes effect.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

let applied = false;

export function limitHeapGrowth(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
