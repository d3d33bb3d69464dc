// For suites that break copies of the bundle on purpose: one mapping engine for the suite, each
// test's copies removed after it, and the problems `validate` reports for a bundle folder.
import { afterEach, beforeAll } from 'vitest';
import { readBundle } from '../../scripts/bundle/load.ts';
import type { BundleProblem } from '../../scripts/bundle/problems.ts';
import { validateBundle } from '../../scripts/bundle/validate.ts';
import { createMappingEngine, type MappingEngine } from '../../scripts/mapping/engine.ts';
import { copyBundle, type BundleCopy } from './bundle-copy.ts';

export interface ValidationSuite {
  /** What validate reports for the bundle in `dir` (default: the package's own). */
  problemsOf(dir?: string): BundleProblem[];
  /** What validate reports after one edit of a fresh copy. */
  problemsAfter(file: string, fn: (text: string) => string): BundleProblem[];
  /** A fresh copy, removed after the test. */
  copy(): BundleCopy;
  /** The suite's engine (from beforeAll on). */
  engine(): MappingEngine;
}

/** Call at the top of a test file (registers beforeAll/afterEach). */
export function validationSuite(): ValidationSuite {
  let engine: MappingEngine | undefined;
  const copies: BundleCopy[] = [];
  beforeAll(async () => {
    engine = await createMappingEngine();
  });
  afterEach(() => {
    for (const c of copies.splice(0)) c.remove();
  });
  const suite: ValidationSuite = {
    engine: () => {
      if (!engine) throw new Error('validationSuite: the engine is created in beforeAll');
      return engine;
    },
    problemsOf: (dir) => {
      const { bundle, problems } = readBundle(dir);
      return bundle ? [...problems, ...validateBundle(bundle, suite.engine())] : problems;
    },
    copy: () => {
      const c = copyBundle();
      copies.push(c);
      return c;
    },
    problemsAfter: (file, fn) => {
      const c = suite.copy();
      c.edit(file, fn);
      return suite.problemsOf(c.dir);
    },
  };
  return suite;
}
