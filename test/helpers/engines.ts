// Both jq engines for tests. Port's native engine is required: the parity tests are the proof
// that the bundle behaves the same in Port (jq 1.6) and on a current jq.
import { loadNativeRuntime } from '../../scripts/jq/native-runtime.ts';

export function requireNativeEngine(): void {
  const native = loadNativeRuntime();
  if (native instanceof Error) {
    throw new Error(
      `Port's native jq engine (@port-labs/jq-node-bindings) is not built: ${native.message.split('\n')[0]}\n` +
        'Install the build tools and rebuild it: apt-get install -y autoconf automake libtool && npm rebuild @port-labs/jq-node-bindings (.ci/run does this).',
    );
  }
}

export const ENGINES = ['port-native', 'jq-wasm'] as const;
