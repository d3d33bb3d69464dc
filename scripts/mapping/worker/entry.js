// A worker thread starts without its parent's TypeScript loader (tsx's CLI, the bin shim or
// vitest): register tsx here, then load the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./mapping-worker.ts');
