// doctor's look at the scorecards and dashboard page: present and as the bundle has them. They are
// optional (INSTALL_DASHBOARDS), so nothing here fails doctor: none at all is reported as such, a
// missing or changed one as a warning with the fix.
import type { Bundle } from '../../bundle/load.ts';
import { renderPages, renderScorecards } from '../../bundle/render.ts';
import type { PortClient } from '../../clients/port/index.ts';
import { planPages, readPages } from './page-plan.ts';
import { planScorecards, readScorecards } from './scorecard-plan.ts';

/** A doctor check (the shape of doctor.ts's ResourceCheck, which imports this module). */
export interface ResourceCheck {
  check: string;
  status: 'ok' | 'warn';
  message: string;
  fix?: string;
}

export async function checkResources(port: PortClient, bundle: Bundle, existingBlueprints: readonly string[]): Promise<ResourceCheck[]> {
  const wanted = renderScorecards(bundle);
  const pages = renderPages(bundle);
  if (!wanted.length && !pages.length) return [];
  const scorecards = planScorecards(wanted, await readScorecards(port, wanted.map((s) => s.blueprint).filter((b) => existingBlueprints.includes(b))));
  const page = planPages(pages, await readPages(port, pages));
  const missing = [...scorecards.items.filter((i) => i.action === 'create').map((i) => `scorecard ${i.blueprint}/${i.identifier}`), ...page.items.filter((i) => i.action === 'create').map((i) => `page ${i.identifier}`)];
  if (missing.length === scorecards.items.length + page.items.length) {
    return [{ check: 'port.dashboards', status: 'ok', message: 'no scorecard or dashboard page of this bundle in Port (installed with INSTALL_DASHBOARDS=false, or by an older version)', fix: 'run `port-gitlab install` to add them' }];
  }
  const out: ResourceCheck[] = [];
  if (missing.length) out.push({ check: 'port.dashboards', status: 'warn', message: `missing in Port: ${missing.join(', ')}`, fix: 'run `port-gitlab install`' });
  const changed = scorecards.items.filter((i) => i.action === 'update');
  if (changed.length) out.push({ check: 'port.scorecards', status: 'warn', message: `scorecards differ from this bundle: ${changed.map((i) => `${i.blueprint}/${i.identifier} (${i.changes.join('; ')})`).join(', ')}`, fix: 'run `port-gitlab install` to bring them in line (rules added in Port are kept)' });
  for (const p of page.items.filter((i) => i.action === 'keep')) out.push({ check: `port.page:${p.identifier}`, status: 'warn', message: `the dashboard page "${p.identifier}" differs from this bundle's (at ${p.differences.join(', ')}): edited in Port, which install keeps`, fix: '`port-gitlab install --overwrite-dashboard` replaces it with the bundle\'s' });
  if (!out.length) out.push({ check: 'port.dashboards', status: 'ok', message: `scorecards ${scorecards.items.map((i) => i.identifier).join(', ')} and page ${page.items.map((i) => i.identifier).join(', ')} are as this bundle has them` });
  return out;
}
