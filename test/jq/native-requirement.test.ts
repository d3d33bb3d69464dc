// Port's native jq engine is optional for users but required in CI: where it is not built, the
// tests that need it are skipped and the run says so once, with the fix — unless the run requires
// the engine (CI, PORT_GITLAB_REQUIRE_NATIVE_JQ), which then stops; .ci/run checks it after npm ci.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../scripts/bundle/paths.ts';
import { NATIVE_BUILD_STEPS } from '../../scripts/jq/native-runtime.ts';
import { NATIVE_JQ, nativeJqRequired, planNativeJq } from '../helpers/engines.ts';

const HIDE = `--require ${join(PACKAGE_ROOT, 'test/helpers/hide-native-jq.cjs')}`;
const missing = new Error("Cannot find module '@port-labs/jq-node-bindings'\nRequire stack: …");

/** The environment of a machine where `npm ci` could not build Port's engine, outside any vitest run. */
function fresh(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || ['TEST', 'CI', 'PORT_GITLAB_REQUIRE_NATIVE_JQ'].includes(k)) delete env[k];
  return { ...env, NODE_OPTIONS: HIDE, ...extra };
}

function vitest(env: NodeJS.ProcessEnv, file: string) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', file, '--maxWorkers=1'], { cwd: PACKAGE_ROOT, env, encoding: 'utf8', timeout: 170_000 });
  return { code: r.status, out: (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '') };
}

describe('when Port\'s native jq engine is required', () => {
  it('a run skips its tests only where it is not built and nothing requires it', () => {
    expect(planNativeJq(undefined, {})).toEqual({ skip: false });
    expect(planNativeJq(undefined, { CI: 'true' })).toEqual({ skip: false });
    expect(planNativeJq(missing, {})).toEqual({ skip: true });
    expect(planNativeJq(missing, { CI: 'false' })).toEqual({ skip: true });
    expect(planNativeJq(missing, { PORT_GITLAB_REQUIRE_NATIVE_JQ: '0' })).toEqual({ skip: true });
  });

  it('CI or PORT_GITLAB_REQUIRE_NATIVE_JQ turn a missing engine into a refusal with the fix', () => {
    for (const env of [{ CI: 'true' }, { CI: '1' }, { PORT_GITLAB_REQUIRE_NATIVE_JQ: '1' }]) {
      expect(nativeJqRequired(env)).toBe(true);
      const plan = planNativeJq(missing, env);
      expect(plan.skip).toBe(false);
      expect(plan.refusal).toContain('not built, and this run requires it');
      expect(plan.refusal).toContain(NATIVE_BUILD_STEPS);
      expect(plan.refusal).toContain("Cannot find module '@port-labs/jq-node-bindings'");
      expect(plan.refusal).not.toContain('Require stack');
    }
  });

  it('.ci/run fails after npm ci when the engine did not build, naming the fix', () => {
    const r = spawnSync('bash', [join(PACKAGE_ROOT, '.ci/require-native-jq')], { env: fresh(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Port's native jq engine (@port-labs/jq-node-bindings) did not build, and CI requires it");
    expect(r.stderr).toContain('npm rebuild @port-labs/jq-node-bindings');
  });

  it('.ci/run goes on where the engine is built', { tags: [NATIVE_JQ] }, () => {
    const r = spawnSync('bash', [join(PACKAGE_ROOT, '.ci/require-native-jq')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a test run without the engine skips its tests and says once how to build it; a required run stops', () => {
    const skipped = vitest(fresh(), 'test/jq/builtins.test.ts');
    expect(skipped.code, skipped.out).toBe(0);
    expect(skipped.out).toMatch(/Tests +1 skipped \(1\)/);
    expect(skipped.out.match(/native jq engine/g)).toHaveLength(1);
    expect(skipped.out).toContain(`1 test(s) that need it were NOT run (they compare it with jq-wasm; CI runs them). To run them, build it with autotools: ${NATIVE_BUILD_STEPS}`);

    const required = vitest(fresh({ PORT_GITLAB_REQUIRE_NATIVE_JQ: '1' }), 'test/jq/builtins.test.ts');
    expect(required.code).not.toBe(0);
    expect(required.out).toContain('not built, and this run requires it (PORT_GITLAB_REQUIRE_NATIVE_JQ is set)');
    expect(required.out).not.toMatch(/Tests +\d/);
  }, 360_000);
});
