// The demo's "scorecards" section: each scorecard's level counts and a few projects with their
// level and metrics, read through Port's API as any client would (GET entities answers each
// entity's `scorecards` and its computed properties).
import type { Bundle } from '../bundle/load.ts';
import { renderScorecards } from '../bundle/render.ts';
import type { PortClient } from '../clients/port/index.ts';

interface EntityWithLevels {
  identifier: string;
  title?: string;
  properties?: Record<string, unknown>;
  scorecards?: Record<string, { level: string }>;
}

export interface DemoLevels {
  /** scorecard → level → entities at it. */
  levels: Record<string, Record<string, number>>;
  /** A few projects: title, project-health level, metrics. */
  projects: Array<{ identifier: string; title?: string; level?: string; metrics: Record<string, unknown> }>;
  lines: string[];
}

const PROJECT_METRICS = ['pipelineSuccessRate30d', 'lastDefaultBranchPipelineStatus', 'averageLeadTimeHours', 'mergedMergeRequestsLast30Days', 'openMergeRequests', 'deploymentsPerWeek'];

export async function demoLevels(port: PortClient, bundle: Bundle, sample = 5): Promise<DemoLevels> {
  const out: DemoLevels = { levels: {}, projects: [], lines: [] };
  for (const { blueprint, scorecard } of renderScorecards(bundle)) {
    const res = await port.request<{ entities: EntityWithLevels[] }>({ method: 'GET', path: `/v1/blueprints/${encodeURIComponent(blueprint)}/entities` });
    const counts: Record<string, number> = Object.fromEntries(scorecard.levels.map((l) => [l.title, 0]));
    for (const e of res.data.entities) {
      const level = e.scorecards?.[scorecard.identifier]?.level;
      if (level) counts[level] = (counts[level] ?? 0) + 1;
    }
    out.levels[scorecard.identifier] = counts;
    out.lines.push(`   ${scorecard.title} (${blueprint}): ${Object.entries(counts).map(([l, n]) => `${l} ${n}`).join(', ')}`);
    if (blueprint !== 'gitlabProject') continue;
    for (const e of res.data.entities.filter((x) => x.properties?.archived !== true).slice(0, sample)) {
      const metrics = Object.fromEntries(PROJECT_METRICS.filter((m) => e.properties && m in e.properties).map((m) => [m, e.properties![m]]));
      const level = e.scorecards?.[scorecard.identifier]?.level;
      out.projects.push({ identifier: e.identifier, title: e.title, level, metrics });
      out.lines.push(`     ${String(e.title ?? e.identifier).padEnd(28)} ${String(level ?? '—').padEnd(7)} ${Object.entries(metrics).map(([k, v]) => `${k} ${v ?? '—'}`).join(', ')}`);
    }
  }
  return out;
}
