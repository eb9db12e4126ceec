// Apart from write-back.ts (which imports zod) so the console's write-back card can offer the
// fields each figure fits without bundling zod.

/** The figures write-back can write, and the Salesforce field types that can hold each. */
export const writeBackFigures = {
  nps: { label: 'NPS', types: ['double', 'int', 'percent', 'currency'], kind: 'a number field' },
  change: { label: 'the NPS change over the previous period', types: ['double', 'int', 'percent', 'currency'], kind: 'a number field' },
  health: { label: 'Health', types: ['string', 'picklist', 'textarea'], kind: 'a text or picklist field' },
  responses: { label: 'the answers of the current period', types: ['double', 'int'], kind: 'a number field' },
  lastAnswerAt: { label: 'the last answer date', types: ['datetime', 'date'], kind: 'a date or date/time field' },
} as const;
export type WriteBackFigure = keyof typeof writeBackFigures;
