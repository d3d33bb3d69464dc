// A fork's bundle that `validate` fails is refused by every command that would send it: install
// (with and without --dry-run), render and backfill exit 2 with validate's own messages, before
// any request reaches Port or GitLab (issue 12 §3).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../scripts/cli.ts';
import { CliError } from '../../scripts/cli/errors.ts';
import { formatProblem, type BundleProblem } from '../../scripts/bundle/problems.ts';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { copyBundle, type BundleCopy } from '../helpers/bundle-copy.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes, requestsSeen } from '../install/helpers.ts';

/** The four defects of issue 12 §3, each as a fork would make it. */
const DEFECTS: Array<{ name: string; problem: RegExp; breakIt(copy: BundleCopy): void }> = [
  {
    name: 'a jq syntax error in a webhook mapping',
    problem: /jq does not compile/,
    breakIt: (c) => c.edit('mappings/webhook/merge_request.yaml', (t) => t.replace("iid: '.body.object_attributes.iid'", "iid: '.body.object_attributes.iid |'")),
  },
  {
    name: 'a mapping to an unknown blueprint',
    problem: /blueprint "gitlabMergeRequests" is not in the bundle/,
    breakIt: (c) => c.edit('mappings/webhook/merge_request.yaml', (t) => t.replace('- blueprint: gitlabMergeRequest\n', '- blueprint: gitlabMergeRequests\n')),
  },
  {
    name: 'a relation to a missing blueprint',
    problem: /gitlabPipelines/,
    breakIt: (c) => c.edit('blueprints/gitlabJob.json', (t) => t.replace('"target": "gitlabPipeline"', '"target": "gitlabPipelines"')),
  },
  {
    name: "template.json's version differing from package.json's",
    problem: /is 0\.0\.0-fork but package\.json says/,
    breakIt: (c) => c.edit('template.json', (t) => t.replace(/"version": "[^"]+"/, '"version": "0.0.0-fork"')),
  },
];

describe('a bundle that fails validate', () => {
  let sb: Sandboxes;
  const forks = new Map<string, BundleCopy>();
  beforeAll(async () => {
    sb = await startSandboxes();
    for (const d of DEFECTS) {
      const copy = copyBundle();
      d.breakIt(copy);
      forks.set(d.name, copy);
    }
  });
  afterAll(async () => {
    for (const c of forks.values()) c.remove();
    await sb?.close();
  });

  const requests = () => requestsSeen(sb);

  async function cli(args: string[]) {
    const c = captureIO(sb.env);
    const code = await main(args, c.io);
    return { code, out: c.out(), err: c.err() };
  }

  /** What `validate --dir` reports for the fork, as text. */
  async function validateMessages(dir: string): Promise<string[]> {
    const r = await cli(['validate', '--json', '--dir', dir]);
    expect(r.code).toBe(1);
    const problems = JSON.parse(r.out).problems as BundleProblem[];
    expect(problems.length).toBeGreaterThan(0);
    return problems.map(formatProblem);
  }

  for (const d of DEFECTS) {
    describe(d.name, () => {
      test('render --json exits 2 with validate\'s messages, and a JSON object saying so', async () => {
        const dir = forks.get(d.name)!.dir;
        const messages = await validateMessages(dir);
        expect(messages.join('\n')).toMatch(d.problem);
        const r = await cli(['render', '--json', '--dir', dir]);
        expect(r.code).toBe(2);
        for (const m of messages) expect(r.err).toContain(m);
        const out = JSON.parse(r.out);
        expect(out).toMatchObject({ ok: false, exitCode: 2 });
        expect(out.error).toMatch(d.problem);
        expect(out.blueprints).toBeUndefined();
      });

      for (const args of [['--dry-run'], ['--yes'], ['--yes', '--json']]) {
        test(`install ${args.join(' ')} exits 2 with validate's messages before any request`, async () => {
          const dir = forks.get(d.name)!.dir;
          const messages = await validateMessages(dir);
          const before = requests();
          const c = captureIO(sb.env);
          const err = await runInstallCommand(args, { io: c.io, tuning: FAST, bundleDir: dir }).then(() => undefined, (e: unknown) => e);
          expect(err).toBeInstanceOf(CliError);
          expect((err as CliError).exitCode).toBe(2);
          for (const m of messages) expect((err as CliError).message).toContain(m);
          expect((err as CliError).message).toContain('Nothing was sent to Port or GitLab.');
          expect(requests()).toBe(before);
          expect(sb.port.entities('gitlabProject')).toEqual([]);
        });
      }

      test('backfill exits 2 the same way, before any request', async () => {
        const dir = forks.get(d.name)!.dir;
        const before = requests();
        const c = captureIO(sb.env);
        const err = await runBackfillCommand(['--json'], { io: c.io, tuning: FAST, bundleDir: dir }).then(() => undefined, (e: unknown) => e);
        expect((err as CliError).exitCode).toBe(2);
        expect((err as CliError).message).toMatch(d.problem);
        expect(requests()).toBe(before);
      });
    });
  }

  test('the shipped bundle passes: render --json prints the bodies', async () => {
    const r = await cli(['render', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).blueprints).toHaveLength(9);
  });
});
