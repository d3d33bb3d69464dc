// A throwaway copy of the bundle to break on purpose (validate's tests and `--dir`).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../scripts/bundle/paths.ts';

export interface BundleCopy {
  dir: string;
  read(file: string): string;
  write(file: string, text: string): void;
  edit(file: string, fn: (text: string) => string): void;
  remove(): void;
}

export function copyBundle(): BundleCopy {
  const dir = mkdtempSync(join(tmpdir(), 'port-gitlab-bundle-'));
  for (const entry of ['package.json', 'template.json', 'blueprints', 'mappings', 'scorecards', 'pages']) cpSync(join(PACKAGE_ROOT, entry), join(dir, entry), { recursive: true });
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  return {
    dir,
    read,
    write,
    edit: (file, fn) => {
      const before = read(file);
      const after = fn(before);
      if (after === before) throw new Error(`edit of ${file} changed nothing: the test's search text is stale`);
      write(file, after);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
