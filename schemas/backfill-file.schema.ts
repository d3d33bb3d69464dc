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
    mappings: { type: 'array', minItems: 1, items: mappingSchema },
  },
} as const;

export type BackfillFile = FromSchema<typeof backfillFileSchema>;
export type BackfillKind = (typeof backfillKinds)[number];
