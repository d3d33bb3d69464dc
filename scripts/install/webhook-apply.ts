// Creates or replaces the Port webhook to match the plan; returns what Port stored (with the
// ingest `url`, which the GitLab hooks point at: never built by hand, port.md §1.7).
import type { PortClient } from '../clients/port/index.ts';
import type { StoredWebhook } from '../port/types.ts';
import { InstallStepError, explainError } from './errors.ts';
import type { CreationJournal } from './journal.ts';
import type { WebhookPlan } from './webhook-plan.ts';

export async function applyWebhook(port: PortClient, plan: WebhookPlan, journal: CreationJournal): Promise<StoredWebhook> {
  try {
    if (plan.action === 'create') {
      const stored = await port.createWebhook(plan.body);
      journal.record(`webhook ${plan.identifier}`, () => port.deleteWebhook(plan.identifier));
      return stored;
    }
    if (plan.action === 'update') return await port.putWebhook(plan.identifier, plan.body);
    return plan.existing!;
  } catch (err) {
    const e = explainError(err);
    throw new InstallStepError('webhook', `Port refused to ${plan.action} webhook "${plan.identifier}": ${e.message}`, e.fix, err);
  }
}
