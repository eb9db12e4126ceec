import type { Readable } from 'node:stream';
import { AppError, ErrorCode } from '../errors.ts';
import { parseCsv, type CsvDialect, type CsvRow } from './csv.ts';
import type { RecordSource, SourceItem } from './source.ts';

export type CsvOptions = Partial<CsvDialect> & { encoding?: 'utf-8' | 'latin1' };

/**
 * Turns a CSV byte stream (a local file today, an SFTP download later) into a record source:
 * the header row names the columns, every later record becomes one raw record or one error.
 */
export async function csvSource(name: string, bytes: Readable, options: CsvOptions = {}): Promise<RecordSource> {
  const dialect = { delimiter: options.delimiter ?? ',', quote: options.quote ?? '"' };
  // TextDecoder drops a UTF-8 byte order mark, so "Id" never arrives as "\uFEFFId".
  const rows = parseCsv(decode(bytes, options.encoding ?? 'utf-8'), dialect);
  const firstBatch = await rows.next();
  const header = firstBatch.done ? undefined : firstBatch.value[0];
  if (!header) throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: the file is empty (no header row)`);
  if (header.kind === 'error') throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: line 1 (header): ${header.message}`);
  const columns = header.fields.map((c) => c.trim());
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate !== undefined) throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: the header names column "${duplicate}" twice`);

  async function* batches(): AsyncGenerator<CsvRow[]> {
    yield (firstBatch.value as CsvRow[]).slice(1);
    yield* rows;
  }

  async function* items(): AsyncGenerator<SourceItem> {
    for await (const batch of batches()) for (const row of batch) {
      const origin = { source: name, line: row.line };
      if (row.kind === 'error') {
        yield { kind: 'error', origin, code: row.code, message: row.message };
      } else if (row.fields.length !== columns.length) {
        yield {
          kind: 'error',
          origin,
          code: 'CSV_COLUMN_COUNT',
          message: `the row has ${row.fields.length} fields, the header has ${columns.length}`,
        };
      } else {
        const values: Record<string, string> = {};
        for (let i = 0; i < columns.length; i++) values[columns[i]!] = row.fields[i]!;
        yield { kind: 'record', origin, values };
      }
    }
  }
  return { name, columns, items: items() };
}

async function* decode(bytes: Readable, encoding: 'utf-8' | 'latin1'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding === 'latin1' ? 'latin1' : 'utf-8', { fatal: encoding === 'utf-8' });
  try {
    for await (const chunk of bytes) yield decoder.decode(chunk as Uint8Array, { stream: true });
    yield decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) {
      throw new AppError(ErrorCode.SOURCE_UNREADABLE, `the file is not valid UTF-8 (set the encoding to latin1 for Latin-1 exports)`, { cause: error });
    }
    throw error;
  }
}
