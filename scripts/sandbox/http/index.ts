/** The shared HTTP kit of the sandbox servers (local Port and local GitLab). */
export { Router, type RouteContext, type RouteHandler, type RouteMatch } from './router.ts';
export { readRawBody, type BodyResult } from './body.ts';
export { sendJson, sendText, sendEmpty } from './respond.ts';
export { FaultInjector, applyFault, type FaultConfig, type FaultDecision, type FaultRenderers, type FaultStats } from './faults.ts';
export { FixedWindowLimiter, type RateLimitOptions, type RateLimitDecision } from './rate-limit.ts';
export { listen, closeServer, type ListenOptions } from './listen.ts';
export { seededRandom } from './random.ts';
