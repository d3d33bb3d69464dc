#!/usr/bin/env node
// The package ships TypeScript sources; tsx's loader runs them without a build step,
// so `npx port-gitlab` works in a checkout right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
