/** The local GitLab of the sandbox: start it with `startLocalGitLab(options)`. */
export { startLocalGitLab, type LocalGitLab, type LocalGitLabOptions, type Role, type Scope, type ExtraToken } from './server.ts';
export { recentHistory, resolveSeed, SEED_PRESETS, type SeedSpec, type SeedName } from './seed-spec.ts';
export type { DeliveryResult } from './delivery.ts';
export type { EventReport } from './events.ts';
export type { ChangeResult } from './control.ts';
