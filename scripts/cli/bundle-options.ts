// What `preview` and `render` share: load the bundle (a fork's with --dir) as a user error when
// it is broken, and the install options their flags set.
import { loadBundle, type Bundle } from '../bundle/load.ts';
import { BundleError } from '../bundle/problems.ts';
import { defaultOptions, type BundleOptions } from '../bundle/render.ts';
import { CliError, EXIT } from './errors.ts';

export function loadBundleForCommand(dir: string | undefined): Bundle {
  try {
    return loadBundle(dir);
  } catch (err) {
    if (err instanceof BundleError) throw new CliError(err.message, EXIT.failed);
    throw err;
  }
}

export function optionsFromFlags(bundle: Bundle, flags: { 'confidential-issues'?: boolean }): BundleOptions {
  return { ...defaultOptions(bundle), ...(flags['confidential-issues'] ? { confidentialIssues: true } : {}) };
}
