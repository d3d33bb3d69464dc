import { defineConfig } from 'vitest/config';
import { NATIVE_JQ, nativeJqPlan } from './test/helpers/engines.ts';

// Tests tagged NATIVE_JQ need Port's native jq engine: skipped (and counted once at the end) where
// it is not built; a run that requires it (CI) stops here instead.
const nativeJq = nativeJqPlan();
if (nativeJq.refusal) throw new Error(nativeJq.refusal);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one worker per core keeps timing-sensitive sandbox tests stable.
    maxWorkers: 2,
    tags: [{ name: NATIVE_JQ, description: "needs Port's native jq engine (@port-labs/jq-node-bindings)", skip: nativeJq.skip }],
    reporters: ['default', ['./test/helpers/native-jq-reporter.ts', { skipping: nativeJq.skip }]],
  },
});
