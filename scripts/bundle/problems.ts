// A problem in a bundle file, located precisely enough to fix: file, JSON path, what, and how.
export interface BundleProblem {
  file: string;
  /** JSON-pointer-like path inside the file (`/mappings/2/entity/properties/state`), or '' for the whole file. */
  path: string;
  message: string;
  fix?: string;
}

export function formatProblem(p: BundleProblem): string {
  const where = p.path ? `${p.file}: ${p.path}` : p.file;
  return `${where}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ''}`;
}

export class BundleError extends Error {
  constructor(readonly problems: BundleProblem[]) {
    super(`the bundle has ${problems.length} problem(s):\n  ${problems.map(formatProblem).join('\n  ')}\nRun \`npx port-gitlab validate\` for the full report.`);
    this.name = 'BundleError';
  }
}
