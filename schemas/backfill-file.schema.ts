// mappings/backfill/<kind>.yaml: how one kind of GitLab REST object becomes Port entities.
// The jq input is `{object, parent, gitlab: {url}}` (see README "Mappings").
import type { FromSchema } from 'json-schema-to-ts';
import { mappingSchema } from './mapping.schema.ts';

export const backfillKinds = ['groups', 'projects', 'mergeRequests', 'issues', 'pipelines', 'jobs', 'releases', 'deployments', 'members'] as const;

export const backfillFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'endpoint', 'parent', 'mappings'],
  properties: {
    kind: { enum: backfillKinds },
    endpoint: { type: 'string', pattern: '^GET /' },
    parent: { enum: ['group', 'project'] },
    // The keys the mappings read. jq spends most of a backfill's CPU parsing its input, and REST
    // objects carry far more than any mapping reads; absent = whole objects.
    fields: {
      type: 'object',
      additionalProperties: false,
      properties: {
        object: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
        parent: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
      },
    },
    mappings: { type: 'array', minItems: 1, items: mappingSchema },
  },
} as const;

export type BackfillFile = FromSchema<typeof backfillFileSchema>;
export type BackfillKind = (typeof backfillKinds)[number];
