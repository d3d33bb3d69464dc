// mappings/functions.yaml: jq functions that `render` inlines into the expressions that call them.
import type { FromSchema } from 'json-schema-to-ts';

export const functionsFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['functions'],
  properties: {
    functions: {
      type: 'object',
      propertyNames: { pattern: '^[a-z_][a-z0-9_]*$' },
      additionalProperties: { type: 'string', pattern: '^def [a-z_][a-z0-9_]*[:(]' },
    },
  },
} as const;

export type FunctionsFile = FromSchema<typeof functionsFileSchema>;
