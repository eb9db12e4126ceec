/**
 * A streaming RFC 4180 CSV parser that reports each malformed record by its line and then
 * carries on with the next line. csv-parse was tried first: after a bad closing quote it loses
 * the well-formed records that follow (its `skip_records_with_error` resumes inside the quote),
 * and a directory load must keep every good row.
 */

export type CsvDialect = { delimiter: string; quote: string };

export type CsvRow =
  | { kind: 'row'; line: number; fields: string[] }
  | { kind: 'error'; line: number; code: 'CSV_INVALID_QUOTE' | 'CSV_QUOTE_NOT_CLOSED'; message: string };

/** A quoted field may span lines, but never more than this: a stray quote must not swallow the file. */
const maxRecordChars = 1 << 20;

/** Yields the records of each chunk read as one batch: one await per chunk, not per record. */
export async function* parseCsv(chunks: AsyncIterable<string>, dialect: CsvDialect = { delimiter: ',', quote: '"' }): AsyncGenerator<CsvRow[]> {
  const { delimiter, quote } = dialect;
  let buffer = '';
  let line = 1;
  let final = false;
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
      const parsed = parseRecord(buffer, pos, delimiter, quote, final);
      if (parsed === null) break; // the record continues in the next chunk
      if (parsed.kind === 'error') {
        batch.push({ kind: 'error', line, code: parsed.code, message: parsed.message });
        // Resume on the line after the record's first line: one bad quote costs one line.
        const eol = buffer.indexOf('\n', pos);
        pos = eol === -1 ? buffer.length : eol + 1;
        line += 1;
        continue;
      }
      const startLine = line;
      line += parsed.newlines;
      pos = parsed.end;
      const isBlank = parsed.fields.length === 1 && parsed.fields[0] === '';
      if (!isBlank) batch.push({ kind: 'row', line: startLine, fields: parsed.fields });
    }
    if (batch.length > 0) yield batch;
    buffer = buffer.slice(pos);
    if (final && buffer.length === 0) return;
  }
}

type Parsed =
  | { kind: 'row'; fields: string[]; end: number; newlines: number }
  | { kind: 'error'; code: 'CSV_INVALID_QUOTE' | 'CSV_QUOTE_NOT_CLOSED'; message: string };

/** Parses one record starting at `start`; null when the buffer ends before the record does. */
function parseRecord(text: string, start: number, delimiter: string, quote: string, final: boolean): Parsed | null {
  const fields: string[] = [];
  let pos = start;
  let newlines = 0;
  while (true) {
    if (text.startsWith(quote, pos)) {
      let value = '';
      let from = pos + 1;
      while (true) {
        const close = text.indexOf(quote, from);
        if (close === -1 || (close + 1 >= text.length && !final)) {
          if (text.length - start > maxRecordChars || final) {
            return { kind: 'error', code: 'CSV_QUOTE_NOT_CLOSED', message: 'a quoted field is never closed' };
          }
          return null;
        }
        value += text.slice(from, close);
        if (text.startsWith(quote, close + 1)) {
          value += quote;
          from = close + 2;
          continue;
        }
        pos = close + 1;
        break;
      }
      newlines += countNewlines(value);
      fields.push(value);
      const after = text[pos];
      if (after === undefined) return final ? { kind: 'row', fields, end: pos, newlines } : null;
      if (after === delimiter) {
        pos += 1;
        continue;
      }
      if (after === '\n' || (after === '\r' && text[pos + 1] === '\n')) {
        return { kind: 'row', fields, end: pos + (after === '\r' ? 2 : 1), newlines: newlines + 1 };
      }
      if (after === '\r' && pos + 1 >= text.length && !final) return null;
      return { kind: 'error', code: 'CSV_INVALID_QUOTE', message: `unexpected ${JSON.stringify(after)} after a closing quote` };
    }
    const eol = text.indexOf('\n', pos);
    const nextDelimiter = text.indexOf(delimiter, pos);
    if (nextDelimiter !== -1 && (eol === -1 || nextDelimiter < eol)) {
      fields.push(text.slice(pos, nextDelimiter));
      pos = nextDelimiter + 1;
      continue;
    }
    if (eol === -1) {
      if (!final) return null;
      fields.push(text.slice(pos));
      return { kind: 'row', fields, end: text.length, newlines };
    }
    fields.push(text.slice(pos, text[eol - 1] === '\r' ? eol - 1 : eol));
    return { kind: 'row', fields, end: eol + 1, newlines: newlines + 1 };
  }
}

function countNewlines(value: string): number {
  let n = 0;
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) n++;
  return n;
}
