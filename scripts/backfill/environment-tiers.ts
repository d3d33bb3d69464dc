// GitLab's deployment objects name their environment without its tier (the Deployments API
// exposes EnvironmentBasic: id, name, slug, external_url); the Environments API of the project has
// it. The backfill reads a project's environments once, the first time a page of its deployments
// arrives (projects without deployments cost nothing), and gives each deployment its environment's
// tier, as the Deployment Hook's environment_tier does.
import { listPages, type ListSource } from './list-pages.ts';

type Obj = Record<string, unknown>;

/** `environment.tier` added from GET /projects/:id/environments (an environment not listed keeps none). */
export async function withEnvironmentTiers(src: ListSource, projectId: string, deployments: Obj[], known: Map<string, Map<number, string>>): Promise<Obj[]> {
  if (!deployments.length) return deployments;
  let tiers = known.get(projectId);
  if (!tiers) {
    tiers = new Map();
    for await (const page of listPages<Obj>(src, `projects/${projectId}/environments`)) {
      for (const env of page) if (typeof env.id === 'number' && typeof env.tier === 'string') tiers.set(env.id, env.tier);
    }
    known.set(projectId, tiers);
  }
  return applyTiers(deployments, tiers);
}

/** Each deployment with `environment.tier` from `tiers` (environment id → tier, lower case as REST gives it). */
export function applyTiers(deployments: Obj[], tiers: ReadonlyMap<number, string>): Obj[] {
  return deployments.map((d) => {
    const env = d.environment as Obj | null | undefined;
    const tier = env && typeof env.id === 'number' ? tiers.get(env.id) : undefined;
    return tier === undefined || !env ? d : { ...d, environment: { ...env, tier } };
  });
}
