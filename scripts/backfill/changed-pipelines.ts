// Incremental sync: which projects have a pipeline updated after the window start, asked of
// GitLab's GraphQL API for 100 projects a request (`Project.pipelines(updatedAfter:)`, GitLab
// 14.7+, gitlab-org/gitlab MR 77396) instead of one REST pipelines list per project. The same
// finder (Ci::PipelinesFinder, `updated_at > updated_after`) serves both, so a project with no
// such pipeline here has none in its REST list either; only projects with one are listed (REST,
// so the pipelines and their jobs map exactly as in a backfill: GraphQL gives `Time` to the
// second, REST to the millisecond). A project this scan did not see, or whose pipelines it could
// not read, is listed through REST as before.
// It does not ask for `Project.environments`: GitLab resolves that field for one project a request
// (app/graphql/types/project_type.rb, FieldCallCount limit 1: `"environments" field can be
// requested only for 1 Project(s) at a time.` for the others), so every project's deployments are
// listed through REST.
import { graphqlQuery } from '../clients/gitlab/graphql.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';

/** Complexity 19 of GitLab's 250 (resolver fields: children + 1, × (1 + page size × 0.01)); depth 6 of 20. */
export const CHANGED_PIPELINES_QUERY = `query ChangedPipelines($group: ID!, $since: Time!, $after: String) {
  group(fullPath: $group) {
    projects(includeSubgroups: true, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        pipelines(updatedAfter: $since, first: 1) { nodes { id } }
      }
    }
  }
}`;

interface Answer {
  group: {
    projects: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{ id: string; pipelines: { nodes: Array<{ id: string }> } | null }>;
    };
  } | null;
}

export interface PipelineActivity {
  /** Projects the scan saw with their pipelines readable. */
  scanned: Set<number>;
  /** Of those, the ones with a pipeline updated after `since`. */
  changed: Set<number>;
}

/** Safety net against a server that never ends a connection (1,000,000 projects). */
const MAX_PAGES = 10_000;

/** `gid://gitlab/Project/42` → 42. */
function projectId(gid: string): number {
  const m = /^gid:\/\/gitlab\/Project\/(\d+)$/.exec(gid);
  if (!m) throw new Error(`GitLab's GraphQL API gave a project id that is not a Project global id: ${JSON.stringify(gid)}`);
  return Number(m[1]);
}

/**
 * Scans the projects of one top-level group (and its subgroups) for pipelines updated after
 * `since`. `run` wraps each request (the backfill's GitLab limiter). Throws on any GraphQL or
 * HTTP error: the caller then lists every project's pipelines through REST.
 */
export async function scanChangedPipelines(gitlab: GitLabClient, group: string, since: string, run: <T>(request: () => Promise<T>) => Promise<T>, into: PipelineActivity = { scanned: new Set(), changed: new Set() }, signal?: AbortSignal): Promise<PipelineActivity> {
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const data: Answer = await run(() => graphqlQuery<Answer>(gitlab, CHANGED_PIPELINES_QUERY, { group, since, after }, signal));
    if (!data.group) throw new Error(`GitLab's GraphQL API does not show group ${group} to this token`);
    for (const node of data.group.projects.nodes) {
      const id = projectId(node.id);
      if (!node.pipelines) continue; // pipelines not readable here: REST decides
      into.scanned.add(id);
      if (node.pipelines.nodes.length) into.changed.add(id);
    }
    const info = data.group.projects.pageInfo;
    if (!info.hasNextPage) return into;
    if (!info.endCursor || info.endCursor === after) throw new Error(`GitLab's GraphQL API gave no new cursor after ${into.scanned.size} projects of ${group}`);
    after = info.endCursor;
  }
  throw new Error(`GitLab's GraphQL API kept paging past ${MAX_PAGES} pages of projects of ${group}`);
}
