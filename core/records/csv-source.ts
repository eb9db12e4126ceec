import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError, ErrorCode, isAppError } from '../errors.ts';
import { defaultMaxFieldBytes, parseCsv, type CsvParseOptions, type CsvRow } from './csv.ts';
import type { RecordSource, SourceItem } from './source.ts';

export type CsvOptions = Partial<CsvParseOptions> & { encoding?: 'utf-8' | 'latin1' };

/** How an export file is written, as a job or a workflow task gives it; unset parts take the defaults. */
export const csvDialectShape = {
  delimiter: z.string().length(1).optional(),
  quote: z.string().length(1).optional(),
  encoding: z.enum(['utf-8', 'latin1']).optional(),
};

/**
 * Turns a CSV byte stream (a local file today, an SFTP download later) into a record source:
 * the header row names the columns, every later record becomes one raw record or one error.
 */
export async function csvSource(name: string, bytes: Readable, options: CsvOptions = {}): Promise<RecordSource> {
  const parseOptions = { delimiter: options.delimiter ?? ',', quote: options.quote ?? '"', maxFieldBytes: options.maxFieldBytes ?? defaultMaxFieldBytes };
  // TextDecoder drops a UTF-8 byte order mark, so "Id" never arrives as "\uFEFFId".
  const rows = parseCsv(decode(bytes, options.encoding ?? 'utf-8'), parseOptions);
  const firstBatch = await rows.next().catch((error: unknown) => {
    // Thrown before the source exists, so nothing else would say which file it was; the cause stays the same.
    throw isAppError(error) ? new AppError(error.code, `${name}: ${error.message}`, { cause: error.cause }) : error;
  });
  const header = firstBatch.done ? undefined : firstBatch.value[0];
  if (!header) throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: the file is empty (no header row)`);
  if (header.kind === 'error') throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: line 1 (header): ${header.message}`);
  const columns = header.fields.map((c) => c.trim());
  const nul = columns.findIndex((c) => c.includes('\0'));
  if (nul !== -1) throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: header field ${nul + 1} holds a NUL byte (\\0)`);
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
        const column = row.field === undefined ? undefined : columns[row.field - 1];
        yield { kind: 'error', origin, code: row.code, message: column === undefined ? row.message : `${row.message} (column "${column}")` };
        continue;
      }
      if (row.fields.length !== columns.length) {
        yield { kind: 'error', origin, code: 'CSV_COLUMN_COUNT', message: `the row has ${row.fields.length} fields, the header has ${columns.length}` };
        continue;
      }
      // PostgreSQL text cannot hold NUL, so one such field would otherwise fail the whole load.
      const nul = row.fields.findIndex((f) => f.includes('\0'));
      if (nul !== -1) {
        yield { kind: 'error', origin, code: 'CSV_NUL_BYTE', message: `the ${columns[nul]} value holds a NUL byte (\\0), which the directory cannot store` };
        continue;
      }
      const values: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) values[columns[i]!] = row.fields[i]!;
      yield { kind: 'record', origin, values };
    }
  }
  return { name, columns, items: items() };
}

/** Enough of a file's start to tell UTF-16 from an 8-bit encoding. */
const sniffBytes = 1024;

async function* decode(bytes: Readable, encoding: 'utf-8' | 'latin1'): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  try {
    for await (const chunk of headFirst(bytes)) {
      decoder ??= decoderFor(chunk, encoding);
      yield decoder.decode(chunk, { stream: true });
    }
    yield (decoder ?? new TextDecoder()).decode();
  } catch (error) {
    if (error instanceof TypeError) {
      throw new AppError(ErrorCode.SOURCE_UNREADABLE, `the file is not valid UTF-8; for a Latin-1 export set its encoding to latin1 (npm run load: --encoding latin1)`, { cause: error });
    }
    throw error;
  }
}

/** The bytes as they come, except that the first chunk holds at least `sniffBytes` (or the whole file). */
async function* headFirst(bytes: Readable): AsyncGenerator<Uint8Array> {
  const head: Uint8Array[] = [];
  let headBytes = 0;
  for await (const chunk of bytes as AsyncIterable<Uint8Array>) {
    if (headBytes >= sniffBytes) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    headBytes += chunk.length;
    if (headBytes >= sniffBytes) yield Buffer.concat(head);
  }
  if (headBytes < sniffBytes && headBytes > 0) yield Buffer.concat(head);
}

/**
 * UTF-16 is read when a byte order mark says so. Without one, ASCII text in UTF-16 has a NUL in
 * every other byte: such a file is refused by name rather than loaded as rows of NULs.
 */
function decoderFor(start: Uint8Array, encoding: 'utf-8' | 'latin1'): TextDecoder {
  if (start[0] === 0xff && start[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true });
  if (start[0] === 0xfe && start[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true });
  const pairs = Math.floor(Math.min(start.length, sniffBytes) / 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (start[i] === 0) even++;
    if (start[i + 1] === 0) odd++;
  }
  const mostly = (n: number) => n >= pairs * 0.3;
  const hardly = (n: number) => n <= pairs * 0.05;
  const utf16 = pairs >= 2 && mostly(even) && hardly(odd) ? 'big' : pairs >= 2 && mostly(odd) && hardly(even) ? 'little' : undefined;
  if (utf16) {
    throw new AppError(
      ErrorCode.SOURCE_UNREADABLE,
      `the file looks like UTF-16 (${utf16}-endian) without a byte order mark; save it as UTF-8, or as UTF-16 with a byte order mark`,
    );
  }
  return new TextDecoder(encoding === 'latin1' ? 'latin1' : 'utf-8', { fatal: encoding === 'utf-8' });
}
