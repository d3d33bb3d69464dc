// `npm run bench`: the mapping benchmark, then the backfill benchmark, each in its own process
// (so one's memory and JIT state do not colour the other), then where the results went.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const benches = ['scripts/bench/mapping.ts', 'scripts/bench/backfill.ts'];
let failed = false;
for (const file of benches) {
  process.stdout.write(`\n== ${file}\n`);
  const r = spawnSync(process.execPath, [...process.execArgv, `${root}${file}`], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failed = true;
    process.stderr.write(`${file} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.stdout.write(`\nResults: ${root}bench/results/mapping.json, ${root}bench/results/backfill.json\n`);
process.exitCode = failed ? 1 : 0;
