// Reads the hooks of every active project of a group (subgroups included), a few projects at a
// time, keeping the listing order: what the installer's plan and doctor both need on a group
// without group hooks (`--project-hooks`). Archived projects are read-only in GitLab: they send no
// events, so the installer gives them no hook and neither side reads them.
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { forEachLimited } from '../backfill/limiter.ts';
import type { HookTarget } from './hook-target.ts';
import { projectRefusal, type HookRefusal } from './hook-refusal.ts';

/** Projects read at once (GitLab.com allows 2,000 requests a minute; a plan should not spend them all). */
const PROJECTS_AT_ONCE = 4;

/** One project: its hooks, or why GitLab would not show them (403 not Maintainer, 404 deleted meanwhile, 422). */
export type ProjectHooks = { target: HookTarget } & ({ hooks: GitLabHook[]; refusal?: undefined } | { hooks?: undefined; refusal: HookRefusal });

/** Throws what is not one project's business (the token, the network, the server). */
export async function readProjectHooksOf(gitlab: GitLabClient, group: { id: number; full_path: string }): Promise<ProjectHooks[]> {
  const projects: Array<{ id: number; path_with_namespace: string }> = [];
  for await (const page of gitlab.groupProjects(group.id, { archived: false, simple: true })) {
    for (const p of page as unknown as Array<{ id: number; path_with_namespace: string }>) projects.push({ id: p.id, path_with_namespace: p.path_with_namespace });
  }
  // Slots keep the listing order, whatever order the concurrent reads finish in.
  const slots: ProjectHooks[] = new Array(projects.length);
  await forEachLimited(projects.entries(), PROJECTS_AT_ONCE, async ([i, p]) => {
    const target: HookTarget = { kind: 'project', id: p.id, path: p.path_with_namespace, group: group.full_path };
    try {
      slots[i] = { target, hooks: await gitlab.listProjectHooks(p.id) };
    } catch (err) {
      const refusal = projectRefusal(err, target, 'check');
      if (!refusal) throw err;
      slots[i] = { target, refusal };
    }
  });
  return slots;
}
