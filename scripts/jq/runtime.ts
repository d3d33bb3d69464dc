// The jq engine behind the mapping engine. Two implementations give the same Port semantics:
// Port's own native binding (jq 1.6, what Port evaluates mappings with) and jq-wasm (jq 1.8.2,
// always installable). Callers see only this interface.

export type JqRuntimeName = 'port-native' | 'jq-wasm';

export interface JqRuntime {
  readonly name: JqRuntimeName;
  /** jq's version string, e.g. `jq-1.6` or `jq-1.8.2`. */
  readonly jqVersion: string;
  /**
   * The first output of `expression` on `input`, exactly as Port evaluates a mapping field
   * (quotes rewritten, env disabled), `null` when there is no output; throws JqFailure on error.
   */
  first(expression: string, input: unknown): unknown;
  /**
   * `first` for each input; engines that pay a fixed cost per call batch this into one call.
   * An input whose evaluation fails yields its JqFailure in place, so the others still count.
   */
  firstOfEach(expression: string, inputs: readonly unknown[]): unknown[];
}

export class JqFailure extends Error {
  constructor(message: string, readonly kind: 'compile' | 'runtime') {
    super(message);
    this.name = 'JqFailure';
  }
}
