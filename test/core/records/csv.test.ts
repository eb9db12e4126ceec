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

  it('refuses a header that names a column twice', async () => {
    await assert.rejects(csvSource('d.csv', bytes('Id,Name,Id\n')), { code: 'SOURCE_UNREADABLE', message: 'd.csv: the header names column "Id" twice' });
  });

  it('refuses an empty file', async () => {
    await assert.rejects(csvSource('e.csv', bytes('')), { code: 'SOURCE_UNREADABLE', message: 'e.csv: the file is empty (no header row)' });
  });
});
