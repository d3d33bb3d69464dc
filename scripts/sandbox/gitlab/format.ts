/**
 * Timestamp formats GitLab uses: REST answers ISO 8601 with milliseconds, webhook payloads mix
 * "2016-08-12 15:23:28 UTC" (pipelines, MR/issue `changes`, releases) and second-precision ISO
 * ("2024-10-07T10:43:48Z": member, subgroup, project hooks; MR/issue object_attributes).
 */
export function restTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function restTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : restTime(ms);
}

export function hookUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

export function hookUtcOrNull(ms: number | null): string | null {
  return ms === null ? null : hookUtc(ms);
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export function isoSecondsOrNull(ms: number | null): string | null {
  return ms === null ? null : isoSeconds(ms);
}

/** `YYYY-MM-DD`, used for due dates and member expiry. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** "2021-04-28 21:50:00 +0000" — the deployment hook's `status_changed_at` format. */
export function hookOffsetTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' +0000';
}
