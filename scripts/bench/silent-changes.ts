// The "changed without an event" step of the sync measurements (bench/backfill.ts, sync-requests.ts):
// `share` of the merge requests, issues and pipelines of the local GitLab change while no hook fires
// (as while a hook is disabled), through its control API, so only a sync can bring them to Port.
import { GitLabClient } from '../clients/gitlab/index.ts';
import type { LocalGitLab } from '../sandbox/gitlab/index.ts';

export async function changeSilently(gitlab: LocalGitLab, share: number): Promise<{ mergeRequests: number; issues: number; pipelines: number }> {
  const gl = new GitLabClient({ host: gitlab.url, token: gitlab.token, rateLimits: { '**': 1_000_000_000 } });
  const projects: Array<{ id: number }> = [];
  for await (const page of gl.pages<{ id: number }>(`groups/${gitlab.groupId}/projects`, { include_subgroups: true, with_shared: false, archived: false })) projects.push(...page);
  const c = gitlab.counts() as unknown as Record<string, number>;
  const n = (total: number) => Math.max(1, Math.round(total * share));
  const done = { mergeRequests: 0, issues: 0, pipelines: 0 };
  await gitlab.silently(async () => {
    // Generated MRs have iids 1..n per project; a project with fewer is passed over.
    for (let i = 0; done.mergeRequests < n(c.mergeRequests!) && i < 50 * projects.length; i++) {
      try {
        await gitlab.updateMergeRequest(projects[i % projects.length]!.id, 1 + Math.floor(i / projects.length), { title: `changed silently ${i}` });
        done.mergeRequests++;
      } catch { /* no such MR */ }
    }
    for (; done.issues < n(c.issues!); done.issues++) await gitlab.openIssue(projects[(done.issues * 7) % projects.length]!.id, { title: `opened silently ${done.issues}` });
    for (; done.pipelines < n(c.pipelines!); done.pipelines++) await gitlab.runPipeline(projects[(done.pipelines * 13) % projects.length]!.id, { jobs: 3 });
  });
  return done;
}
