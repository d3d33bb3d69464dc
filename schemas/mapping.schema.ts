// JSON Schema of one Port webhook mapping as the bundle writes it: Port's mapping object
// (schemas/port-api/create-a-webhook.json → mappings[]) restricted to what this package's engine
// evaluates (jq strings, object operation forms), plus `when`, an install-option gate that
// `render` resolves and strips before Port sees the mapping.
import type { FromSchema } from 'json-schema-to-ts';

export const jqExpressionSchema = { type: 'string', minLength: 1 } as const;

export const mappingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['blueprint', 'filter', 'entity'],
  properties: {
    when: {
      type: 'string',
      pattern: '^!?[A-Za-z][A-Za-z0-9]*$',
      description: 'Install option gate: `option` renders the mapping only when it is on, `!option` only when off.',
    },
    blueprint: { type: 'string', minLength: 1 },
    operation: {
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'create' } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['type'],
          properties: { type: { const: 'delete' }, deleteDependents: { type: 'boolean' } },
        },
      ],
    },
    filter: jqExpressionSchema,
    itemsToParse: jqExpressionSchema,
    entity: {
      type: 'object',
      additionalProperties: false,
      required: ['identifier'],
      properties: {
        identifier: jqExpressionSchema,
        title: jqExpressionSchema,
        icon: jqExpressionSchema,
        team: jqExpressionSchema,
        properties: { type: 'object', additionalProperties: jqExpressionSchema },
        relations: { type: 'object', additionalProperties: jqExpressionSchema },
      },
    },
  },
} as const;

export type BundleMapping = FromSchema<typeof mappingSchema>;
