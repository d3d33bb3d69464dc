// What the bundle commands share: find the bundle (a fork's with --dir), load it as a user error
// when it is broken (exit 2: nothing was done), and the install options their flags set.
import { statSync } from 'node:fs';
import { loadCheckedBundle } from '../bundle/checked.ts';
import { loadBundle, type Bundle } from '../bundle/load.ts';
import { BundleError } from '../bundle/problems.ts';
import { defaultOptions, type BundleOptions } from '../bundle/render.ts';
import { CliError, EXIT } from './errors.ts';

/** `--dir DIR` must name a directory; otherwise every bundle file would be reported missing. */
export function checkBundleDir(dir: string | undefined): void {
  if (dir === undefined) return;
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new CliError(`--dir ${dir}: the directory does not exist; give the path of a checkout of this package (the folder that holds template.json and package.json).`);
  }
  if (!isDir) throw new CliError(`--dir ${dir}: is a file, not a directory; give the folder that holds template.json and package.json.`);
}

/**
 * The bundle a command acts on. `checked` (the default) requires it to pass every check of
 * `validate`, as install and render do; otherwise only that its files parse and fit their schemas.
 */
export async function loadBundleForCommand(dir: string | undefined, o: { checked?: boolean } = {}): Promise<Bundle> {
  checkBundleDir(dir);
  try {
    return o.checked === false ? loadBundle(dir) : await loadCheckedBundle(dir);
  } catch (err) {
    if (err instanceof BundleError) throw new CliError(err.message, EXIT.badInput);
    throw err;
  }
}

export function optionsFromFlags(bundle: Bundle, flags: { 'confidential-issues'?: boolean }): BundleOptions {
  return { ...defaultOptions(bundle), ...(flags['confidential-issues'] ? { confidentialIssues: true } : {}) };
}
