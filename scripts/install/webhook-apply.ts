// Creates or replaces the Port webhook to match the plan; returns what Port stored (with the
// ingest `url`, which the GitLab hooks point at: never built by hand, port.md §1.7). When another
// run created the webhook between our read and our create (409), the webhook is read again and
// the run continues as an update of it, with its secret when Port gives it back — so the hooks
// both runs write carry the same token.
import type { PortClient } from '../clients/port/index.ts';
import type { StoredWebhook } from '../port/types.ts';
import { createdMeanwhile } from './blueprint-apply.ts';
import { InstallStepError, explainError } from './errors.ts';
import type { CreationJournal } from './journal.ts';
import type { WebhookPlan } from './webhook-plan.ts';

export interface AppliedWebhook {
  stored: StoredWebhook;
  /** The plan that was applied: the re-plan when the webhook was created meanwhile. */
  plan: WebhookPlan;
  /** The webhook was created by another run meanwhile; this run updated it. */
  convergedOnCreate?: boolean;
}

export async function applyWebhook(port: PortClient, plan: WebhookPlan, journal: CreationJournal, replan?: (existing: StoredWebhook) => WebhookPlan): Promise<AppliedWebhook> {
  let current = plan;
  try {
    if (plan.action === 'create') {
      try {
        const stored = await port.createWebhook(plan.body);
        journal.record(`webhook ${plan.identifier}`, () => port.deleteWebhook(plan.identifier));
        return { stored, plan };
      } catch (err) {
        const existing = replan && createdMeanwhile(err) ? await port.getWebhook(plan.identifier) : null;
        if (!existing || !replan) throw err;
        current = replan(existing);
        const stored = current.action === 'update' ? await port.putWebhook(current.identifier, current.body) : existing;
        return { stored, plan: current, convergedOnCreate: true };
      }
    }
    if (plan.action === 'update') return { stored: await port.putWebhook(plan.identifier, plan.body), plan };
    return { stored: plan.existing!, plan };
  } catch (err) {
    const e = explainError(err);
    throw new InstallStepError('webhook', `Port refused to ${current.action} webhook "${current.identifier}": ${e.message}`, e.fix, err);
  }
}
