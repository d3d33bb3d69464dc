// Both jq engines for tests. The parity tests are the proof that the bundle behaves the same in
// Port (jq 1.6, Port's native engine) and on a current jq. Port's engine is an optional dependency
// that builds only where autotools are installed, so a test that needs it carries the NATIVE_JQ
// tag: vitest.config.ts skips those where the engine is not built and says so once
// (native-jq-reporter.ts), unless the run requires the engine — CI does, so CI always proves both.
import { loadNativeRuntime, NATIVE_BUILD_STEPS } from '../../scripts/jq/native-runtime.ts';

export const ENGINES = ['port-native', 'jq-wasm'] as const;
export type EngineName = (typeof ENGINES)[number];

/** The vitest tag of tests that need Port's native jq engine (declared in vitest.config.ts). */
export const NATIVE_JQ = 'port-native-jq';

/** Options for a suite or test on `engine`: tagged when the engine is Port's native one. */
export function onEngine(engine: EngineName): { tags: string[] } {
  return { tags: engine === 'port-native' ? [NATIVE_JQ] : [] };
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** A run must not skip the native tests: in CI (`CI`), or when `PORT_GITLAB_REQUIRE_NATIVE_JQ` asks for it. */
export function nativeJqRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return truthy(env.PORT_GITLAB_REQUIRE_NATIVE_JQ) || truthy(env.CI);
}

export interface NativeJqPlan {
  /** Skip the tests tagged NATIVE_JQ. */
  skip: boolean;
  /** Set when the run must stop: the engine is required but not built. */
  refusal?: string;
}

/** What a test run does with the tests that need Port's engine, given why it could not load (if it could not). */
export function planNativeJq(loadError: Error | undefined, env: NodeJS.ProcessEnv = process.env): NativeJqPlan {
  if (!loadError) return { skip: false };
  if (!nativeJqRequired(env)) return { skip: true };
  const why = truthy(env.PORT_GITLAB_REQUIRE_NATIVE_JQ) ? 'PORT_GITLAB_REQUIRE_NATIVE_JQ is set' : 'CI is set';
  return {
    skip: false,
    refusal:
      `Port's native jq engine (@port-labs/jq-node-bindings) is not built, and this run requires it (${why}): ` +
      `the tests that prove the bundle gives the same results on Port's engine cannot be skipped here. ` +
      `Build it with autotools: ${NATIVE_BUILD_STEPS} (${loadError.message.split('\n')[0]})`,
  };
}

/** The plan for this machine and environment. */
export function nativeJqPlan(env: NodeJS.ProcessEnv = process.env): NativeJqPlan {
  const native = loadNativeRuntime();
  return planNativeJq(native instanceof Error ? native : undefined, env);
}

/** The one line a run prints when it skipped `count` tests for want of Port's engine. */
export function nativeJqSkipNotice(count: number): string {
  return (
    `Port's native jq engine (@port-labs/jq-node-bindings) is not built on this machine: ${count} test(s) that need it were NOT run ` +
    `(they compare it with jq-wasm; CI runs them). To run them, build it with autotools: ${NATIVE_BUILD_STEPS}`
  );
}

/** In a test that needs Port's engine and was not skipped: fail with the fix when it is missing. */
export function requireNativeEngine(): void {
  const native = loadNativeRuntime();
  if (native instanceof Error) {
    throw new Error(
      `Port's native jq engine (@port-labs/jq-node-bindings) is not built: ${native.message.split('\n')[0]}\n` +
        `Install the build tools and rebuild it: ${NATIVE_BUILD_STEPS} (.ci/run does this).`,
    );
  }
}
