// What the install does with each dashboard page. Port's create answers only `{ok, identifier}`,
// so idempotence is judged on what GET returns: a page holding the bundle's body (Port's own
// fields aside) is unchanged. A page that differs was edited in Port (or installed by another
// version of this package): it is kept as it is and the plan says so, unless the run was asked
// to overwrite it (`--overwrite-dashboard`), which replaces it with the bundle's (PUT).
import type { PortClient } from '../../clients/port/index.ts';
import { getPage, type StoredPage } from '../../clients/port/resources.ts';
import type { PageFile } from '../../../schemas/page-file.schema.ts';
import { differences, holds } from './compare.ts';

export interface PagePlanItem {
  identifier: string;
  /** `keep`: edited in Port, left alone; `replace`: edited, overwritten on request. */
  action: 'create' | 'unchanged' | 'keep' | 'replace';
  body: PageFile;
  /** Where Port's page differs from the bundle's (keep/replace). */
  differences: string[];
}

export interface PagePlan {
  items: PagePlanItem[];
}

export async function readPages(port: PortClient, pages: readonly PageFile[]): Promise<Map<string, StoredPage | null>> {
  const out = new Map<string, StoredPage | null>();
  for (const p of pages) out.set(p.identifier, await getPage(port, p.identifier));
  return out;
}

export function planPages(desired: readonly PageFile[], existing: ReadonlyMap<string, StoredPage | null>, o: { overwrite?: boolean } = {}): PagePlan {
  return {
    items: desired.map((body) => {
      const have = existing.get(body.identifier) ?? null;
      if (!have) return { identifier: body.identifier, action: 'create', body, differences: [] };
      if (holds(have, body)) return { identifier: body.identifier, action: 'unchanged', body, differences: [] };
      return { identifier: body.identifier, action: o.overwrite ? 'replace' : 'keep', body, differences: differences(have, body) };
    }),
  };
}

export function formatPagePlan(plan: PagePlan): string {
  return plan.items.map((i) => {
    switch (i.action) {
      case 'create': return `  + page ${i.identifier} "${i.body.title}" (create; Port's Pages API is beta: a failure here is reported, not fatal)`;
      case 'unchanged': return `  = page ${i.identifier} (unchanged)`;
      case 'keep': return `  ! page ${i.identifier}: differs from this bundle's (at ${i.differences.join(', ')}): edited in Port, or installed by another version — kept as it is; --overwrite-dashboard replaces it`;
      case 'replace': return `  ~ page ${i.identifier}: differs from this bundle's (at ${i.differences.join(', ')}) — replaced (--overwrite-dashboard): the edits made in Port are lost`;
    }
  }).join('\n');
}
