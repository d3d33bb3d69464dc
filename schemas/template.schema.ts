// template.json: the manifest Port's template center (and the installer) reads — the package
// version, the inputs a form is rendered from, the parts of the bundle and the install order.
import type { FromSchema } from 'json-schema-to-ts';

export const templateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'title', 'version', 'description', 'inputs', 'parts', 'order'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[a-z0-9-]+$' },
    title: { type: 'string', minLength: 1, maxLength: 100 },
    version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$' },
    description: { type: 'string', maxLength: 500 },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'title', 'description', 'type', 'secret', 'required'],
        properties: {
          name: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Environment variable; the flag is its kebab-case form.' },
          title: { type: 'string', minLength: 1, maxLength: 100 },
          description: { type: 'string', minLength: 1, description: 'What it is and where to get it.' },
          type: { enum: ['string', 'url', 'boolean', 'number', 'list'] },
          secret: { type: 'boolean', description: 'Never printed or logged; masked in forms.' },
          required: { type: 'boolean' },
          default: { type: ['string', 'number', 'boolean'] },
          enum: { type: 'array', items: { type: 'string' } },
          option: {
            type: 'string',
            pattern: '^[a-z][A-Za-z0-9]*$',
            description: 'The bundle option this input sets (mappings gate on it with `when`).',
          },
          providedBy: { enum: ['port', 'user'], description: 'Port fills its own credentials in when installing from the template center.' },
        },
      },
    },
    parts: {
      type: 'object',
      additionalProperties: false,
      required: ['blueprints', 'webhook', 'functions', 'backfill'],
      properties: {
        blueprints: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^blueprints/[A-Za-z0-9_-]+\\.json$' }, description: 'In creation order: relation targets first.' },
        webhook: { type: 'string', pattern: '^mappings/.+\\.yaml$' },
        functions: { type: 'string', pattern: '^mappings/.+\\.yaml$' },
        backfill: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^mappings/backfill/.+\\.yaml$' }, description: 'In backfill order: parents first.' },
        scorecards: { type: 'array', items: { type: 'string', pattern: '^scorecards/[A-Za-z0-9_-]+\\.json$' }, description: 'One file per blueprint: the scorecards Port evaluates on its entities (optional).' },
        pages: { type: 'array', items: { type: 'string', pattern: '^pages/[A-Za-z0-9_-]+\\.json$' }, description: 'Dashboard pages (optional; Port\'s Pages API is beta).' },
      },
    },
    order: {
      type: 'array',
      items: { enum: ['blueprints', 'scorecards', 'webhook', 'gitlabHooks', 'pages', 'backfill'] },
      minItems: 4,
      maxItems: 6,
      uniqueItems: true,
      description: 'The installer\'s steps, in order.',
    },
  },
} as const;

export type TemplateManifest = FromSchema<typeof templateSchema>;
export type TemplateInput = TemplateManifest['inputs'][number];
