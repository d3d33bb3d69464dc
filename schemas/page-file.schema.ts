// pages/<identifier>.json: a Port dashboard page, exactly the body Port's own clients send to the
// (beta, unpublished) `POST /v1/pages` — Ocean's `create_page`, terraform's `CreatePage` — see
// ../shared/reference/port-resources.md §1.2. Page-level fields follow the last published page
// schema (schemas/port-api/historical-2024-03/create-pages.json: identifier pattern, `type`,
// `description` ≤ 150, `section`); its widget `anyOf` lost every branch's `properties` when Port
// published it (each `additionalProperties: false` branch refuses any widget), so the widgets
// follow the shape every working example uses instead: one `dashboard-widget` whose `layout` rows
// place the inner widgets by id, with the fields the 2024-03 branches require per widget type.
import type { FromSchema } from 'json-schema-to-ts';

const rule = {
  type: 'object', additionalProperties: false, required: ['property', 'operator'],
  properties: {
    property: { type: 'string', minLength: 1 },
    operator: { enum: ['=', '!=', '>', '<', '>=', '<=', 'between', 'notBetween', 'contains', 'doesNotContains', 'containsAny', 'in', 'isEmpty', 'isNotEmpty', 'beginsWith', 'doesNotBeginsWith', 'endsWith', 'doesNotEndsWith'] },
    value: {},
  },
} as const;

const dataset = {
  type: 'object', additionalProperties: false, required: ['combinator', 'rules'],
  properties: { combinator: { enum: ['and', 'or'] }, rules: { type: 'array', minItems: 1, items: rule } },
} as const;

const common = { id: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' }, title: { type: 'string', minLength: 1 }, icon: { type: 'string' }, description: { type: 'string' } } as const;

const numberChart = {
  type: 'object', additionalProperties: false, required: ['id', 'type', 'title', 'blueprint', 'dataset', 'calculationBy', 'func', 'unit'],
  properties: {
    ...common,
    type: { const: 'entities-number-chart' },
    blueprint: { type: 'string' },
    dataset,
    calculationBy: { enum: ['entities', 'property'] },
    func: { enum: ['count', 'sum', 'average', 'min', 'max', 'median'] },
    property: { type: 'string' },
    averageOf: { enum: ['hour', 'day', 'week', 'month', 'total'] },
    measureTimeBy: { type: 'string' },
    unit: { enum: ['none', '%', '$', '£', '€', 'custom'] },
    unitCustom: { type: 'string' },
    unitAlignment: { enum: ['left', 'right'] },
  },
} as const;

const pieChart = {
  type: 'object', additionalProperties: false, required: ['id', 'type', 'title', 'blueprint', 'dataset', 'property'],
  properties: {
    ...common,
    type: { const: 'entities-pie-chart' },
    blueprint: { type: 'string' },
    dataset,
    property: { type: 'string', pattern: '^(property|scorecard)#[^#]+$', description: '`property#<id>`, or `scorecard#<scorecardId>` for the level.' },
  },
} as const;

const table = {
  type: 'object', additionalProperties: false, required: ['id', 'type', 'title', 'blueprint', 'dataset', 'displayMode', 'blueprintConfig'],
  properties: {
    ...common,
    type: { const: 'table-entities-explorer' },
    blueprint: { type: 'string' },
    dataset,
    displayMode: { const: 'widget' },
    excludedFields: { type: 'array', items: { type: 'string' } },
    blueprintConfig: {
      type: 'object',
      additionalProperties: {
        type: 'object', additionalProperties: false,
        properties: {
          propertiesSettings: { type: 'object', additionalProperties: false, properties: { order: { type: 'array', items: { type: 'string' } }, hidden: { type: 'array', items: { type: 'string' } } } },
          sortSettings: { type: 'object', additionalProperties: false, properties: { sortBy: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['property', 'order'], properties: { property: { type: 'string' }, order: { enum: ['asc', 'desc'] } } } } } },
          groupSettings: { type: 'object', additionalProperties: false, properties: { groupBy: { type: 'array', items: { type: 'string' } } } },
        },
      },
    },
  },
} as const;

const markdown = {
  type: 'object', additionalProperties: false, required: ['id', 'type', 'title', 'markdown'],
  properties: { ...common, type: { const: 'markdown' }, markdown: { type: 'string' } },
} as const;

export const pageFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identifier', 'title', 'type', 'widgets'],
  properties: {
    identifier: { type: 'string', pattern: '^[A-Za-z0-9@_.:\\/=\\-]+$', minLength: 1, maxLength: 100 },
    title: { type: 'string', minLength: 1 },
    icon: { type: 'string' },
    description: { type: 'string', maxLength: 150 },
    type: { const: 'dashboard' },
    showInSidebar: { type: 'boolean' },
    section: { enum: ['software_catalog', 'organization'] },
    requiredQueryParams: { type: 'array', maxItems: 0 },
    widgets: {
      type: 'array', minItems: 1, maxItems: 1,
      description: 'One dashboard-widget wrapping the rest (the shape Port is making mandatory).',
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'type', 'layout', 'widgets'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
          type: { const: 'dashboard-widget' },
          layout: {
            type: 'array', minItems: 1,
            items: {
              type: 'object', additionalProperties: false, required: ['height', 'columns'],
              properties: {
                height: { type: 'integer', minimum: 100 },
                columns: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, required: ['id', 'size'], properties: { id: { type: 'string' }, size: { type: 'integer', minimum: 1, maximum: 12 } } } },
              },
            },
          },
          widgets: { type: 'array', minItems: 1, items: { oneOf: [numberChart, pieChart, table, markdown] } },
        },
      },
    },
  },
} as const;

export type PageFile = FromSchema<typeof pageFileSchema>;
export type DashboardWidget = PageFile['widgets'][number];
export type PageWidget = DashboardWidget['widgets'][number];
