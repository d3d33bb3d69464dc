// Where the bundle lives: the package root (two levels above this file), or a fork's checkout.
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
