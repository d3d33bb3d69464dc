// The deny-list of post-1.6 builtins is a measurement: re-measure it on every run.
import { describe, expect, it } from 'vitest';
import { loadJqRuntime } from '../../scripts/jq/load-runtime.ts';
import { BUILTINS_NEWER_THAN_JQ_1_6, BUILTINS_REMOVED_AFTER_JQ_1_6 } from '../../scripts/jq/port-semantics.ts';
import { NATIVE_JQ, requireNativeEngine } from '../helpers/engines.ts';

describe('builtins that differ between Port\'s jq and jq-wasm', { tags: [NATIVE_JQ] }, () => {
  it('match the lists the validator uses', async () => {
    requireNativeEngine();
    const native = new Set((await loadJqRuntime({ engine: 'port-native' })).first('builtins', null) as string[]);
    const wasm = new Set((await loadJqRuntime({ engine: 'jq-wasm' })).first('builtins', null) as string[]);
    expect([...wasm].filter((b) => !native.has(b)).sort()).toEqual([...BUILTINS_NEWER_THAN_JQ_1_6].sort());
    expect([...native].filter((b) => !wasm.has(b)).sort()).toEqual([...BUILTINS_REMOVED_AFTER_JQ_1_6].sort());
    expect((await loadJqRuntime({ engine: 'port-native' })).jqVersion).toBe('jq-1.6');
  });
});
