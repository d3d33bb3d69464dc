// How Port prepares a jq expression before running it (the behaviour of its evaluator,
// @port-labs/jq-node-bindings): single quotes that open or close a token become double quotes,
// and `env`/`$ENV` are disabled. Applied identically whichever jq engine runs underneath.

// Port's regex, verbatim in effect: a `'` at the start of a token (after start/whitespace, not
// followed by whitespace or `"`) or at its end (not after whitespace or `"`, before whitespace/end).
const QUOTE_AT_TOKEN_EDGE = /(^|\s)'(?!\s|")|(?<!\s|")'(\s|$)/g;

export function rewriteSingleQuotes(expression: string): string {
  return expression.replace(QUOTE_AT_TOKEN_EDGE, '$1"$2');
}

export const DISABLE_ENV_PREFIX = 'def env: {}; {} as $ENV | ';

/** The program text Port actually compiles for `expression`. */
export function portProgram(expression: string): string {
  return DISABLE_ENV_PREFIX + rewriteSingleQuotes(expression);
}

/**
 * The mapping engine embeds each expression, padded with newlines, inside a larger program that
 * Port's rewrite then sees as a whole. That is only faithful when the rewrite treats the
 * expression the same in both places; `validate` rejects the rare expression where it does not.
 */
export function rewriteIsStableWhenEmbedded(expression: string): boolean {
  return rewriteSingleQuotes(`(\n${expression}\n)`) === `(\n${rewriteSingleQuotes(expression)}\n)`;
}

/**
 * Builtins of jq 1.8.2 that Port's engine (jq 1.6) lacks, as `name/arity` — measured by diffing
 * `[builtins]` of both engines (test/jq/builtins.test.ts re-measures it). An expression calling
 * one works on a newer jq and silently yields null in Port.
 */
export const BUILTINS_NEWER_THAN_JQ_1_6 = [
  'abs/0', 'add/1', 'debug/1', 'have_decnum/0', 'have_literal_numbers/0', 'ltrim/0', 'pick/1',
  'rtrim/0', 'scan/2', 'skip/2', 'toboolean/0', 'trim/0', 'trimstr/1',
] as const;

/** Builtins only jq 1.6 has (removed later): using them would break on Port's next engine. */
export const BUILTINS_REMOVED_AFTER_JQ_1_6 = ['leaf_paths/0', 'pow10/0', 'recurse_down/0', 'scalars_or_empty/0'] as const;
