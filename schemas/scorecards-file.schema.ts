// scorecards/<blueprint>.json: the scorecards of one blueprint. Each item is exactly the body of
// Port's `POST /v1/blueprints/{blueprint}/scorecards` (create-a-scorecard.json, vendored in
// schemas/port-api/): the same fields, identifier patterns, condition shapes, operators, date
// presets and level colors, with `additionalProperties: false` on every condition (the published
// schema leaves most conditions open; here a misspelt key is an error, not a silently ignored one).
// `load` also checks each scorecard against the published schema itself.
import type { FromSchema } from 'json-schema-to-ts';

const COMPARISON_OPERATORS = ['=', '!=', '>', '<', '>=', '<=', 'contains', 'doesNotContains', 'beginsWith', 'doesNotBeginsWith', 'endsWith', 'doesNotEndsWith'] as const;
const DATE_PRESETS = ['today', 'tomorrow', 'yesterday', 'lastWeek', 'last2Weeks', 'lastMonth', 'last3Months', 'last6Months', 'last12Months'] as const;
const LEVEL_COLORS = ['blue', 'turquoise', 'orange', 'purple', 'pink', 'yellow', 'green', 'red', 'gold', 'silver', 'paleBlue', 'darkGray', 'lightGray', 'bronze', 'lime', 'olive', 'brown'] as const;

const comparisonValue = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }] } as const;

const condition = {
  anyOf: [
    {
      title: 'Property between condition',
      type: 'object', additionalProperties: false, required: ['property', 'operator', 'value'],
      properties: {
        property: { type: 'string', minLength: 1 },
        operator: { enum: ['between', 'notBetween', '='] },
        value: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } } },
            { type: 'object', additionalProperties: false, required: ['preset'], properties: { preset: { enum: DATE_PRESETS } } },
          ],
        },
      },
    },
    {
      title: 'Property containsAny condition',
      type: 'object', additionalProperties: false, required: ['property', 'operator', 'value'],
      properties: { property: { type: 'string', minLength: 1 }, operator: { enum: ['containsAny', 'in'] }, value: { type: 'array', items: { type: 'string' } } },
    },
    {
      title: 'Relation containsAny condition',
      type: 'object', additionalProperties: false, required: ['relation', 'operator', 'value'],
      properties: { relation: { type: 'string', minLength: 1 }, operator: { enum: ['containsAny', 'in'] }, value: { type: 'array', items: { type: 'string' } } },
    },
    {
      title: 'Property comparison',
      type: 'object', additionalProperties: false, required: ['property', 'operator', 'value'],
      properties: { property: { type: 'string', minLength: 1 }, operator: { enum: COMPARISON_OPERATORS }, value: comparisonValue },
    },
    {
      title: 'Relation comparison',
      type: 'object', additionalProperties: false, required: ['relation', 'operator', 'value'],
      properties: { relation: { type: 'string', minLength: 1 }, operator: { enum: COMPARISON_OPERATORS }, value: comparisonValue },
    },
    {
      title: 'Property empty condition',
      type: 'object', additionalProperties: false, required: ['property', 'operator'],
      properties: { not: { type: 'boolean' }, property: { type: 'string', minLength: 1 }, operator: { enum: ['isEmpty', 'isNotEmpty'] } },
    },
    {
      title: 'Relation empty condition',
      type: 'object', additionalProperties: false, required: ['relation', 'operator'],
      properties: { not: { type: 'boolean' }, relation: { type: 'string', minLength: 1 }, operator: { enum: ['isEmpty', 'isNotEmpty'] } },
    },
  ],
} as const;

const query = {
  type: 'object', additionalProperties: false, required: ['combinator', 'conditions'],
  properties: { combinator: { enum: ['and', 'or'] }, conditions: { type: 'array', minItems: 1, items: condition } },
} as const;

export const scorecardSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identifier', 'title', 'levels', 'rules'],
  properties: {
    identifier: { type: 'string', pattern: '^(?!\\.{1,2}$)[\\p{L}0-9@_.+:\\\\/=-]+$', maxLength: 100, description: 'Immutable in Port: a new identifier is a new scorecard.' },
    title: { type: 'string', minLength: 1 },
    filter: query,
    levels: {
      type: 'array', minItems: 2,
      description: 'Lowest first. The first is the base level every entity starts at; no rule may use it (Port).',
      items: { type: 'object', additionalProperties: false, required: ['title', 'color'], properties: { title: { type: 'string', minLength: 1 }, color: { enum: LEVEL_COLORS } } },
    },
    rules: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['identifier', 'title', 'level', 'query'],
        properties: {
          identifier: { type: 'string', pattern: '^[A-Za-z0-9@_=\\-]+$', maxLength: 100, description: 'Immutable in Port; no dots or slashes.' },
          title: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          level: { type: 'string', minLength: 1 },
          query,
        },
      },
    },
  },
} as const;

export const scorecardsFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['blueprint', 'scorecards'],
  properties: {
    $schema: { type: 'string' },
    blueprint: { type: 'string', minLength: 1, description: 'The blueprint whose entities the scorecards evaluate (a blueprint of this bundle).' },
    scorecards: { type: 'array', minItems: 1, items: scorecardSchema },
  },
} as const;

export type Scorecard = FromSchema<typeof scorecardSchema>;
export type ScorecardsFile = FromSchema<typeof scorecardsFileSchema>;
export type ScorecardRule = Scorecard['rules'][number];
export type ScorecardCondition = ScorecardRule['query']['conditions'][number];
