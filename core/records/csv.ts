/**
 * A streaming RFC 4180 CSV parser that reports each malformed record by its line and then
 * carries on with the next line. csv-parse was tried first: after a bad closing quote it loses
 * the well-formed records that follow (its `skip_records_with_error` resumes inside the quote),
 * and a directory load must keep every good row.
 */

export type CsvDialect = { delimiter: string; quote: string };

export type CsvParseOptions = CsvDialect & {
  /** A longer field makes its record an error; the parser stops keeping its text, so memory stays flat. */
  maxFieldBytes: number;
};

export const defaultMaxFieldBytes = 64 * 1024;

export type CsvErrorCode = 'CSV_INVALID_QUOTE' | 'CSV_QUOTE_NOT_CLOSED' | 'CSV_FIELD_TOO_LONG' | 'CSV_RECORD_TOO_LONG';

export type CsvRow =
  | { kind: 'row'; line: number; fields: string[] }
  /** `field` (1-based) names the field at fault when there is one. */
  | { kind: 'error'; line: number; code: CsvErrorCode; message: string; field?: number };

/** How the rest of a rejected record is passed over: to the next line, or to the record's own end. */
type Skip = { kind: 'line' } | { kind: 'record'; inQuotes: boolean; atFieldStart: boolean };

type Limits = { maxFieldBytes: number; maxRecordChars: number };

/** Yields the records of each chunk read as one batch: one await per chunk, not per record. */
export async function* parseCsv(chunks: AsyncIterable<string>, options: Partial<CsvParseOptions> = {}): AsyncGenerator<CsvRow[]> {
  const dialect = { delimiter: options.delimiter ?? ',', quote: options.quote ?? '"' };
  const maxFieldBytes = options.maxFieldBytes ?? defaultMaxFieldBytes;
  // A quoted field may span lines, but not past this: a stray quote must not swallow the file.
  const limits = { maxFieldBytes, maxRecordChars: Math.max(1 << 20, 2 * maxFieldBytes) };
  let buffer = '';
  let line = 1;
  let final = false;
  let skip: Skip | null = null;
  const iterator = chunks[Symbol.asyncIterator]();

  while (true) {
    if (!final) {
      const next = await iterator.next();
      if (next.done) final = true;
      else buffer += next.value;
      if (!final && buffer.length < 65536) continue;
    }
    let pos = 0;
    const batch: CsvRow[] = [];
    while (pos < buffer.length) {
      if (skip) {
        const skipped = skipRest(buffer, pos, skip, dialect, final);
        line += skipped.newlines;
        pos = skipped.end;
        if (!skipped.done) break;
        skip = null;
        continue;
      }
      const parsed = parseRecord(buffer, pos, dialect, limits, final);
      if (parsed === null) break; // the record continues in the next chunk
      if (parsed.kind === 'error') {
        const { code, message, field } = parsed;
        batch.push({ kind: 'error', line, code, message, ...(field !== undefined ? { field } : {}) });
        skip = parsed.skip;
      } else {
        const isBlank = parsed.fields.length === 1 && parsed.fields[0] === '';
        if (!isBlank) batch.push({ kind: 'row', line, fields: parsed.fields });
      }
      line += parsed.newlines;
      pos = parsed.end;
    }
    if (batch.length > 0) yield batch;
    buffer = buffer.slice(pos);
    if (final && buffer.length === 0) return;
  }
}

type Parsed =
  | { kind: 'row'; fields: string[]; end: number; newlines: number }
  /** Reading goes on at `end`, passing over the rest of the record first when `skip` says so. */
  | { kind: 'error'; code: CsvErrorCode; message: string; field?: number; end: number; newlines: number; skip: Skip | null };

/** Parses one record starting at `start`; null when the buffer ends before the record does. */
function parseRecord(text: string, start: number, { delimiter, quote }: CsvDialect, limits: Limits, final: boolean): Parsed | null {
  const fields: string[] = [];
  let pos = start;
  let newlines = 0;
  let tooLong: number | undefined;
  // Searched again only once passed: a long line of short fields must not be scanned once per field.
  let eol = text.indexOf('\n', pos);
  // One bad quote costs one line: reading resumes on the line after the record's first line.
  const badQuote = (code: CsvErrorCode, message: string): Parsed => ({ kind: 'error', code, message, end: start, newlines: 0, skip: { kind: 'line' } });
  const push = (value: string) => {
    fields.push(value);
    if (tooLong === undefined && exceeds(value, limits.maxFieldBytes)) tooLong = fields.length;
  };
  const ended = (end: number, lines: number): Parsed =>
    tooLong === undefined
      ? { kind: 'row', fields, end, newlines: lines }
      : { kind: 'error', ...fieldTooLong(tooLong, limits.maxFieldBytes), end, newlines: lines, skip: null };
  while (true) {
    if (text.startsWith(quote, pos)) {
      let value = '';
      let from = pos + 1;
      while (true) {
        const close = text.indexOf(quote, from);
        if (close === -1) {
          if (final) return badQuote('CSV_QUOTE_NOT_CLOSED', 'a quoted field is never closed');
          if (text.length - start > limits.maxRecordChars) {
            return badQuote('CSV_QUOTE_NOT_CLOSED', `a quoted field is not closed within ${limits.maxRecordChars} characters`);
          }
          return null;
        }
        if (close + 1 >= text.length && !final) return null;
        value += text.slice(from, close);
        if (text.startsWith(quote, close + 1)) {
          value += quote;
          from = close + 2;
          continue;
        }
        pos = close + 1;
        break;
      }
      newlines += countNewlines(value, 0, value.length);
      push(value);
      const after = text[pos];
      if (after === undefined) return final ? ended(pos, newlines) : null;
      if (after === delimiter) {
        pos += 1;
        continue;
      }
      if (after === '\n' || (after === '\r' && text[pos + 1] === '\n')) return ended(pos + (after === '\r' ? 2 : 1), newlines + 1);
      if (after === '\r' && pos + 1 >= text.length && !final) return null;
      return badQuote('CSV_INVALID_QUOTE', `unexpected ${JSON.stringify(after)} after a closing quote`);
    }
    if (eol !== -1 && eol < pos) eol = text.indexOf('\n', pos);
    const nextDelimiter = text.indexOf(delimiter, pos);
    if (nextDelimiter !== -1 && (eol === -1 || nextDelimiter < eol)) {
      push(text.slice(pos, nextDelimiter));
      pos = nextDelimiter + 1;
      continue;
    }
    if (eol === -1) {
      if (final) {
        push(text.slice(pos));
        return ended(text.length, newlines);
      }
      // Waiting for the end of a field longer than the limit would hold all of it: drop it now.
      const rest = { end: text.length, newlines, skip: { kind: 'record', inQuotes: false, atFieldStart: false } satisfies Skip };
      if (text.length - pos > limits.maxFieldBytes) return { kind: 'error', ...fieldTooLong(fields.length + 1, limits.maxFieldBytes), ...rest };
      if (text.length - start > limits.maxRecordChars) {
        return { kind: 'error', code: 'CSV_RECORD_TOO_LONG', message: `the record is longer than ${limits.maxRecordChars} characters`, ...rest };
      }
      return null;
    }
    push(text.slice(pos, text[eol - 1] === '\r' ? eol - 1 : eol));
    return ended(eol + 1, newlines + 1);
  }
}

function fieldTooLong(field: number, maxFieldBytes: number) {
  return { code: 'CSV_FIELD_TOO_LONG', message: `field ${field} is longer than the limit of ${maxFieldBytes} bytes`, field } as const;
}

/** Whether the value takes more than `max` bytes in UTF-8; counted only when its length leaves a doubt. */
function exceeds(value: string, max: number): boolean {
  return value.length > max || (value.length * 3 > max && Buffer.byteLength(value) > max);
}

/**
 * Passes over the rest of a rejected record without keeping any of it, counting the lines it spans.
 * `done` once the record's end is passed; otherwise everything up to `end` is consumed and `skip` keeps the state.
 */
function skipRest(text: string, start: number, skip: Skip, { delimiter, quote }: CsvDialect, final: boolean): { end: number; newlines: number; done: boolean } {
  if (skip.kind === 'line') {
    const eol = text.indexOf('\n', start);
    return eol === -1 ? { end: text.length, newlines: 0, done: final } : { end: eol + 1, newlines: 1, done: true };
  }
  let pos = start;
  let newlines = 0;
  let eol = text.indexOf('\n', pos);
  while (pos < text.length) {
    if (skip.inQuotes) {
      const close = text.indexOf(quote, pos);
      newlines += countNewlines(text, pos, close === -1 ? text.length : close);
      if (close === -1) return { end: text.length, newlines, done: final };
      // Kept for the next chunk: it may be the first of a doubled quote.
      if (close + 1 >= text.length && !final) return { end: close, newlines, done: false };
      if (text.startsWith(quote, close + 1)) {
        pos = close + 2;
        continue;
      }
      skip.inQuotes = false;
      skip.atFieldStart = false;
      pos = close + 1;
      continue;
    }
    if (skip.atFieldStart && text.startsWith(quote, pos)) {
      skip.inQuotes = true;
      pos += 1;
      continue;
    }
    if (eol !== -1 && eol < pos) eol = text.indexOf('\n', pos);
    const nextDelimiter = text.indexOf(delimiter, pos);
    if (nextDelimiter !== -1 && (eol === -1 || nextDelimiter < eol)) {
      skip.atFieldStart = true;
      pos = nextDelimiter + 1;
      continue;
    }
    if (eol !== -1) return { end: eol + 1, newlines: newlines + 1, done: true };
    skip.atFieldStart = false;
    pos = text.length;
  }
  return { end: text.length, newlines, done: final };
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
