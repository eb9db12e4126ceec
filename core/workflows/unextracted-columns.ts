// A load's mapping may name any source column, but a Salesforce extract reads only the fields it
// selects: a column it does not select would fail every run with a missing column, so the save
// refuses it and names the extract to add it to.
import { selectList } from '../connections/salesforce-objects.ts';
import { defaultFields, objectSource } from '../directory/default-fields.ts';
import type { MappingInput } from '../directory/mapping-input.ts';
import type { SourceKind } from '../records/source.ts';

/** A Salesforce extract as a load reads it: its task name and the fields it selects (unset: the required ones). */
export type SalesforceFeed = { name: string; fields: readonly string[] | undefined };

/** The columns a load's mapping names that its Salesforce extracts do not select, each with its path under the mapping. */
export function unextractedColumns(mapping: MappingInput, feeds: Partial<Record<SourceKind, SalesforceFeed>>): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const check = (kind: SourceKind, column: string, path: string[]) => {
    const feed = feeds[kind];
    // Exactly as written: a run finds a mapped column among the select list's names as they are spelled.
    if (!feed || selectList(kind, feed.fields).includes(column)) return;
    problems.push({ path, message: `the Salesforce extract "${feed.name}" does not read ${column}: add it to that task's fields` });
  };
  for (const object of Object.keys(defaultFields) as (keyof typeof defaultFields)[]) {
    const part = mapping[object];
    const fields: Record<string, string | undefined> = (part && part.fields) || {};
    for (const [field, column] of Object.entries(fields)) if (column) check(objectSource[object], column, [object, 'fields', field]);
  }
  for (const [name, attribute] of Object.entries(mapping.accounts?.attributes ?? {})) check('accounts', attribute.source, ['accounts', 'attributes', name, 'source']);
  for (const [name, column] of Object.entries(mapping.contacts?.extra ?? {})) check('contacts', column, ['contacts', 'extra', name]);
  return problems;
}
