// Says once, after the summary, how many tests were skipped because Port's native jq engine is not
// built here, and how to build it (see engines.ts). Silent when nothing was skipped for that reason.
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { NATIVE_JQ, nativeJqSkipNotice } from './engines.ts';

export default class NativeJqReporter implements Reporter {
  private vitest?: Vitest;

  constructor(private readonly options: { skipping: boolean }) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (!this.options.skipping) return;
    let skipped = 0;
    for (const m of modules) for (const t of m.children.allTests('skipped')) if (t.tags.includes(NATIVE_JQ)) skipped++;
    if (!skipped) return;
    const line = nativeJqSkipNotice(skipped);
    if (this.vitest) this.vitest.logger.log(`\n${line}\n`);
    else process.stdout.write(`\n${line}\n`);
  }
}
