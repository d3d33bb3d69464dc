// Why Port's ingest would refuse a saved request as given, before its mappings run: `preview`
// reports these as problems, since what the mappings would write never happens.
import { INGEST_BODY_LIMIT } from '../port/ingest-limits.ts';
import type { WebhookRequest } from './types.ts';

/** The body's size as GitLab sends it: compact JSON (a string body as is). */
export function bodyBytes(body: unknown): number {
  return Buffer.byteLength(typeof body === 'string' ? body : JSON.stringify(body ?? null), 'utf8');
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** `tokenHeader`: the webhook's `security.signatureHeaderName`, or undefined when it checks none. */
export function ingestRefusals(request: WebhookRequest, tokenHeader: string | undefined): string[] {
  const out: string[] = [];
  const size = bodyBytes(request.body);
  if (size > INGEST_BODY_LIMIT) {
    out.push(`the body is ${kib(size)}, over Port's ${kib(INGEST_BODY_LIMIT)} ingest limit: Port answers 413 Request Entity Too Large and writes nothing`);
  }
  if (tokenHeader) {
    const given = Object.entries(request.headers ?? {}).find(([k]) => k.toLowerCase() === tokenHeader.toLowerCase())?.[1];
    if (given === undefined || String(given) === '') {
      out.push(`no ${tokenHeader.toLowerCase()} header: the webhook checks the hook's secret token in it, so Port refuses the request and writes nothing; GitLab sends it when the hook has a secret token (install sets one): add the header to the saved request`);
    }
  }
  return out;
}
