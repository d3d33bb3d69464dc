// mappings/webhook/<event>.yaml: the mappings for one GitLab event (X-Gitlab-Event).
import type { FromSchema } from 'json-schema-to-ts';
import { mappingSchema } from './mapping.schema.ts';

export const webhookEventFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['event', 'hookEvents', 'mappings'],
  properties: {
    event: { type: 'string', pattern: ' Hook$', description: 'The X-Gitlab-Event value this file handles.' },
    hookEvents: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z_]+_events$' },
      description: 'GitLab hook flags (snake_case) that make GitLab send this event.',
    },
    mappings: { type: 'array', items: mappingSchema },
  },
} as const;

export type WebhookEventFile = FromSchema<typeof webhookEventFileSchema>;
