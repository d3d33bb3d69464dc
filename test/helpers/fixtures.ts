// GitLab's documented webhook payloads (vendored from shared/gitlab-payloads; see their README).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WebhookRequest } from '../../scripts/mapping/types.ts';

export const PAYLOAD_DIR = fileURLToPath(new URL('../fixtures/gitlab-payloads/', import.meta.url));

export function payloadNames(): string[] {
  return readdirSync(PAYLOAD_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** A fresh copy of a documented payload, safe to mutate for derived variants. */
export function payload(name: string): WebhookRequest & { body: any } {
  return JSON.parse(readFileSync(`${PAYLOAD_DIR}${name}.json`, 'utf8'));
}
