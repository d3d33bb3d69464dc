// The project rule "no import cycles", checked: every relative import in scripts/ (static,
// re-exports, type-only and dynamic ones alike) forms a graph, and a depth-first walk reports any
// cycle with the files on it. Type-only imports count too: a cycle of types is the same tangle
// of modules, and it turns into a load-order problem as soon as one of them becomes a value.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Relative specifiers a module imports, comments stripped first (a commented-out import is none). */
export function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g, // import x from './a.ts', export { y } from './b.ts'
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g, // import './side-effect.ts'
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g, // await import('./lazy.ts')
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

/** Every cycle reachable in the graph, each as the list of files from its first file back to it. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('import cycles', () => {
  it('the checker finds a cycle and ignores commented-out imports', () => {
    expect(relativeImports("import type { A } from './a.ts';\n// import { b } from './b.ts'\nexport { c } from '../c.ts';\nconst d = await import('./d.ts');")).toEqual(['./a.ts', '../c.ts', './d.ts']);
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []], ['c', ['a', 'b']]]))).toEqual([]);
  });

  it('scripts/ has none', () => {
    const files = sourceFiles(join(ROOT, 'scripts'));
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const targets = relativeImports(readFileSync(file, 'utf8')).map((spec) => resolve(dirname(file), spec)).filter((t) => known.has(t));
      graph.set(file, targets);
    }
    const cycles = findCycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' → '));
    expect(cycles, `import cycles (move what both sides need into a module of its own):\n${cycles.join('\n')}`).toEqual([]);
  });
});
