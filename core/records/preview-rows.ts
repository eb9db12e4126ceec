import { z } from 'zod';
import type { RecordSource } from './source.ts';

/** How many rows a file preview shows: enough to see the columns are read right. */
export const previewRows = 20;

/** One row of a preview: its values in column order, or the reason the line cannot be read. */
export const previewRowSchema = z.object({ line: z.number().int(), values: z.array(z.string()).nullable(), error: z.string().nullable() });
export type PreviewRow = z.infer<typeof previewRowSchema>;

/**
 * A source's first rows as a run would read them, each as values in column order or as the reason
 * it cannot be read. Reading stops there, so a large file costs no more than its first rows.
 */
export async function firstRows(source: RecordSource): Promise<PreviewRow[]> {
  const rows: PreviewRow[] = [];
  for await (const item of source.items) {
    rows.push(item.kind === 'record'
      ? { line: item.origin.line, values: source.columns.map((c) => item.values[c] ?? ''), error: null }
      : { line: item.origin.line, values: null, error: item.message });
    if (rows.length === previewRows) break;
  }
  return rows;
}
