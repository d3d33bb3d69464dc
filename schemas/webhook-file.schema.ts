// mappings/webhook.yaml: the Port webhook itself, minus its mappings (assembled from the event
// files) and its secret (generated per install).
import type { FromSchema } from 'json-schema-to-ts';

export const webhookFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identifier', 'title', 'enabled', 'security', 'events'],
  properties: {
    identifier: { type: 'string', pattern: '^[A-Za-z0-9@_.+:\\\\/=-]+$', maxLength: 30 },
    title: { type: 'string', minLength: 1, maxLength: 30 },
    description: { type: 'string', maxLength: 200 },
    icon: { type: 'string' },
    enabled: { type: 'boolean' },
    integrationType: { enum: ['custom', 'template'] },
    security: {
      type: 'object',
      additionalProperties: false,
      required: ['signatureHeaderName', 'signatureAlgorithm', 'requestIdentifierPath'],
      properties: {
        signatureHeaderName: { type: 'string', pattern: '^[a-z0-9-]+$' },
        signatureAlgorithm: { const: 'plain' },
        requestIdentifierPath: { type: 'string', minLength: 1 },
      },
    },
    events: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^[a-z0-9_.-]+\\.yaml$' },
      description: 'Event files under mappings/webhook/, in the order their mappings are assembled.',
    },
  },
} as const;

export type WebhookFile = FromSchema<typeof webhookFileSchema>;
