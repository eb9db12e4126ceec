import type { AccountFigures } from '../../core/widgets/strategic-accounts-queries.ts';
import type { WriteBackFields } from '../../core/workflows/write-back.ts';
import type { WriteBackFigure } from '../../core/workflows/write-back-figures.ts';

/** A value as written to a Salesforce field: null clears it. */
export type FieldValue = string | number | null;

/** One Account's update: its Id and the mapped fields' values. */
export type WriteRecord = { id: string; fields: Record<string, FieldValue> };

/** An Account Id, 15 or 18 characters: a directory loaded from elsewhere may hold other ids, which are never sent. */
const accountId = /^001[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

/**
 * Each account's mapped fields, pure: numbers as integers, health as its name, the last answer as
 * a date/time (ISO 8601, UTC) or, in a date field, the calendar date in the widget's time zone.
 * Accounts whose id is not an Account Id are counted apart.
 */
export function recordValues(figures: readonly AccountFigures[], mapping: WriteBackFields, fieldTypes: ReadonlyMap<string, string>, timeZone: string): { records: WriteRecord[]; skipped: number } {
  const calendarDate = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const entries = Object.entries(mapping).filter((e): e is [WriteBackFigure, string] => e[1] !== undefined);
  const value = (figure: WriteBackFigure, field: string, f: AccountFigures): FieldValue => {
    if (figure === 'lastAnswerAt') {
      if (f.lastAnswerAt === null) return null;
      return fieldTypes.get(field.toLowerCase()) === 'date' ? calendarDate.format(f.lastAnswerAt) : f.lastAnswerAt.toISOString();
    }
    return f[figure];
  };
  const records: WriteRecord[] = [];
  let skipped = 0;
  for (const f of figures) {
    if (!accountId.test(f.id)) {
      skipped++;
      continue;
    }
    records.push({ id: f.id, fields: Object.fromEntries(entries.map(([figure, field]) => [field, value(figure, field, f)])) });
  }
  return { records, skipped };
}
