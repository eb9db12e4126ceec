import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { csvSource } from '../../../core/records/csv-source.ts';
import { parseCsv, type CsvRow } from '../../../core/records/csv.ts';

async function parse(text: string, chunkSize = text.length): Promise<CsvRow[]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
  const rows: CsvRow[] = [];
  for await (const batch of parseCsv(Readable.from(chunks))) rows.push(...batch);
  return rows;
}

const sample = 'Id,Name\r\n1,"Acme, Inc."\n2,"Say ""hi"""\n\n3,"two\nlines"\n4,"bad"x\n5,plain\n6,"never closed\n7,last';
const expected: CsvRow[] = [
  { kind: 'row', line: 1, fields: ['Id', 'Name'] },
  { kind: 'row', line: 2, fields: ['1', 'Acme, Inc.'] },
  { kind: 'row', line: 3, fields: ['2', 'Say "hi"'] },
  { kind: 'row', line: 5, fields: ['3', 'two\nlines'] },
  { kind: 'error', line: 7, code: 'CSV_INVALID_QUOTE', message: 'unexpected "x" after a closing quote' },
  { kind: 'row', line: 8, fields: ['5', 'plain'] },
  { kind: 'error', line: 9, code: 'CSV_QUOTE_NOT_CLOSED', message: 'a quoted field is never closed' },
  { kind: 'row', line: 10, fields: ['7', 'last'] },
];

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes, CRLF and quoted newlines, numbering records by their first line', async () => {
    assert.deepEqual(await parse(sample), expected);
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    for (const size of [1, 2, 3, 7, 64]) assert.deepEqual(await parse(sample, size), expected, `chunks of ${size}`);
  });

  it('reports a bad quote and resumes on the next line, keeping the records after it', async () => {
    const rows = await parse('a,b\n6,"bad"q,7\n8,9\n9,9\n');
    assert.deepEqual(rows.map((r) => [r.kind, r.line]), [['row', 1], ['error', 2], ['row', 3], ['row', 4]]);
  });

  describe('a field longer than the limit', () => {
    const mb30 = 30 * 1024 * 1024;
    /** `before`, then `size` characters of `piece` repeated in 64 KiB chunks, then `after`; `pulled` counts the characters handed out. */
    function longField(before: string, size: number, after: string, piece = 'x'.repeat(65536)) {
      const pulled = { chars: 0 };
      async function* chunks() {
        for (const chunk of [before, ...Array.from({ length: size / piece.length }, () => piece), after]) {
          pulled.chars += chunk.length;
          yield chunk;
        }
      }
      return { chunks: chunks(), pulled };
    }

    it('is a row error naming the field and the limit, and the next records still read', async () => {
      const { chunks } = longField('Id,Notes,Name\n1,', mb30, ',Acme\n2,short,Beta\n');
      const rows: CsvRow[] = [];
      for await (const batch of parseCsv(chunks)) rows.push(...batch);
      assert.deepEqual(rows, [
        { kind: 'row', line: 1, fields: ['Id', 'Notes', 'Name'] },
        { kind: 'error', line: 2, code: 'CSV_FIELD_TOO_LONG', message: 'field 2 is longer than the limit of 65536 bytes', field: 2 },
        { kind: 'row', line: 3, fields: ['2', 'short', 'Beta'] },
      ]);
    });

    it('is reported before the rest of the field is read, so the parser never holds it', async () => {
      const { chunks, pulled } = longField('Id,Notes\n1,', mb30, '\n');
      for await (const batch of parseCsv(chunks)) {
        if (batch.some((r) => r.kind === 'error')) break;
      }
      assert.ok(pulled.chars < 1024 * 1024, `${pulled.chars} characters read before the error`);
    });

    it('counts a quoted field in UTF-8 bytes and resumes after its closing quote, whatever lines it spans', async () => {
      const long = 'ü\n'.repeat(20);
      const rows = await parse(`a,b\n1,"${long}"\n2,ok\n`, 7);
      assert.deepEqual(rows.slice(1), [{ kind: 'row', line: 2, fields: ['1', long] }, { kind: 'row', line: 23, fields: ['2', 'ok'] }]);
      const limited: CsvRow[] = [];
      for await (const batch of parseCsv(Readable.from([`a,b\n1,"${long}"\n2,ok\n`]), { maxFieldBytes: 50 })) limited.push(...batch);
      assert.deepEqual(limited.slice(1), [
        { kind: 'error', line: 2, code: 'CSV_FIELD_TOO_LONG', message: 'field 2 is longer than the limit of 50 bytes', field: 2 },
        { kind: 'row', line: 23, fields: ['2', 'ok'] },
      ]);
    });

    it('takes a quoted field still open after 1 MiB for a stray quote, and resumes on the next line', async () => {
      const { chunks, pulled } = longField('Id,Notes\n1,"', mb30, '"\n2,ok\n');
      const rows: CsvRow[] = [];
      for await (const batch of parseCsv(chunks)) rows.push(...batch);
      assert.deepEqual(rows.slice(1), [
        { kind: 'error', line: 2, code: 'CSV_QUOTE_NOT_CLOSED', message: 'a quoted field is not closed within 1048576 characters' },
        { kind: 'row', line: 3, fields: ['2', 'ok'] },
      ]);
      assert.equal(pulled.chars, mb30 + 19);
    });

    it('bounds a record of many short fields too, reporting it before its end is read', async () => {
      const { chunks, pulled } = longField('Id,Notes\n', mb30, '\n2,ok\n', 'a,'.repeat(32768));
      const rows: CsvRow[] = [];
      let pulledAtError = 0;
      for await (const batch of parseCsv(chunks)) {
        if (batch.some((r) => r.kind === 'error')) pulledAtError = pulled.chars;
        rows.push(...batch);
      }
      assert.deepEqual(rows.slice(1), [
        { kind: 'error', line: 2, code: 'CSV_RECORD_TOO_LONG', message: 'the record is longer than 1048576 characters' },
        { kind: 'row', line: 3, fields: ['2', 'ok'] },
      ]);
      assert.ok(pulledAtError < 2 * 1024 * 1024, `${pulledAtError} characters read before the error`);
    });
  });
});

describe('csvSource', () => {
  const bytes = (...parts: (string | Buffer)[]) => Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

  it('drops a UTF-8 byte order mark, so the first column keeps its name', async () => {
    const source = await csvSource('c.csv', bytes(Buffer.from([0xef, 0xbb, 0xbf]), 'Id,Name\n1,Zoë\n'));
    assert.deepEqual(source.columns, ['Id', 'Name']);
    const items = [];
    for await (const item of source.items) items.push(item);
    assert.deepEqual(items, [{ kind: 'record', origin: { source: 'c.csv', line: 2 }, values: { Id: '1', Name: 'Zoë' } }]);
  });

  it('decodes Latin-1 when told to', async () => {
    const source = await csvSource('l.csv', bytes(Buffer.from('Id,Name\n1,M\xfcller\n', 'latin1')), { encoding: 'latin1' });
    const items = [];
    for await (const item of source.items) items.push(item);
    assert.deepEqual(items, [{ kind: 'record', origin: { source: 'l.csv', line: 2 }, values: { Id: '1', Name: 'Müller' } }]);
  });

  const items = async (source: { items: AsyncIterable<unknown> }) => {
    const all = [];
    for await (const item of source.items) all.push(item);
    return all;
  };

  it('rejects a record with a NUL byte in a field, naming the column, and reads the next', async () => {
    const source = await csvSource('n.csv', bytes('Id,Name\n1,Ac\0me\n2,Beta\n'));
    assert.deepEqual(await items(source), [
      { kind: 'error', origin: { source: 'n.csv', line: 2 }, code: 'CSV_NUL_BYTE', message: 'the Name value holds a NUL byte (\\0), which the directory cannot store' },
      { kind: 'record', origin: { source: 'n.csv', line: 3 }, values: { Id: '2', Name: 'Beta' } },
    ]);
  });

  it('names the column of a field longer than the limit', async () => {
    const source = await csvSource('long.csv', bytes('Id,Notes\n1,', 'x'.repeat(101), '\n2,ok\n'), { maxFieldBytes: 100 });
    assert.deepEqual(await items(source), [
      { kind: 'error', origin: { source: 'long.csv', line: 2 }, code: 'CSV_FIELD_TOO_LONG', message: 'field 2 is longer than the limit of 100 bytes (column "Notes")' },
      { kind: 'record', origin: { source: 'long.csv', line: 3 }, values: { Id: '2', Notes: 'ok' } },
    ]);
  });

  const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

  it('refuses UTF-16 without a byte order mark, saying so, whichever the byte order', async () => {
    const text = 'Id,Name\n1,Acme\n';
    await assert.rejects(csvSource('be.csv', bytes(utf16be(text))), {
      code: 'SOURCE_UNREADABLE',
      message: 'be.csv: the file looks like UTF-16 (big-endian) without a byte order mark; save it as UTF-8, or as UTF-16 with a byte order mark',
    });
    await assert.rejects(csvSource('le.csv', bytes(Buffer.from(text, 'utf16le')), { encoding: 'latin1' }), {
      code: 'SOURCE_UNREADABLE',
      message: 'le.csv: the file looks like UTF-16 (little-endian) without a byte order mark; save it as UTF-8, or as UTF-16 with a byte order mark',
    });
  });

  it('reads UTF-16 that starts with a byte order mark', async () => {
    for (const encoded of [utf16be('\ufeffId,Name\n1,Zoë\n'), Buffer.from('\ufeffId,Name\n1,Zoë\n', 'utf16le')]) {
      const source = await csvSource('u.csv', bytes(encoded));
      assert.deepEqual(await items(source), [{ kind: 'record', origin: { source: 'u.csv', line: 2 }, values: { Id: '1', Name: 'Zoë' } }]);
    }
  });

  it('refuses a header that names a column twice', async () => {
    await assert.rejects(csvSource('d.csv', bytes('Id,Name,Id\n')), { code: 'SOURCE_UNREADABLE', message: 'd.csv: the header names column "Id" twice' });
  });

  it('refuses an empty file', async () => {
    await assert.rejects(csvSource('e.csv', bytes('')), { code: 'SOURCE_UNREADABLE', message: 'e.csv: the file is empty (no header row)' });
  });
});
