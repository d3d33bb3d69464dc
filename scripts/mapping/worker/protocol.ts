// Messages between the backfill and its mapping worker.
import type { BundleMapping } from '../../../schemas/mapping.schema.ts';
import type { MappingResult } from '../types.ts';

export type WorkerRequest =
  | { type: 'mappings'; key: string; mappings: BundleMapping[] }
  | { type: 'evaluate'; id: number; key: string; inputs: unknown[] };

export type WorkerReply =
  | { type: 'ready'; runtime: string }
  | { type: 'results'; id: number; results: MappingResult[] }
  | { type: 'error'; id: number; message: string };
