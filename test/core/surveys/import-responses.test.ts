import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../../core/db.ts';
import { openCsvFile, openLocalFiles } from '../../../worker/extract/local-files.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { importResponses } from '../../../core/surveys/import-responses.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';

const header = ['Contact.Id', 'Account.Id', 'Score', 'Comment', 'Responded_At'];
const demo = (file: string) => path.join(import.meta.dirname, '..', '..', '..', 'examples', 'demo', file);

describe('importResponses', () => {
  let db: Db;
  let dir: string;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    dir = await tempDir();
  });

  it('imports the demo NPS history once: a second import adds nothing', async () => {
    const files = { accounts: demo('accounts.csv'), contacts: demo('contacts.csv'), teamMembers: demo('team_members.csv') };
    const { default: mapping } = await import(demo('mapping.json'), { with: { type: 'json' } });
    await loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: () => openLocalFiles(files), mapping });
    const first = await importResponses(db, 1, await openCsvFile(demo('nps_responses.csv'), 'responses'));
    assert.deepEqual(first, { inserted: 1371, unchanged: 0, rejected: 0, errors: [] });
    const again = await importResponses(db, 1, await openCsvFile(demo('nps_responses.csv'), 'responses'));
    assert.deepEqual(again, { inserted: 0, unchanged: 1371, rejected: 0, errors: [] });
    const [span] = await db.query(`select min(responded_at)::date::text as first, max(responded_at)::date::text as last from nps_responses`);
    assert.deepEqual(span, { first: '2025-05-21', last: '2026-11-20' });
  });

  it('takes the account from the contact when the row names none, and reports each bad row by line', async () => {
    const accounts = await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]);
    const contacts = await writeCsv(dir, 'contacts.csv', [contactHeader, ['003A', 'false', '', '001A', 'a@acme.example', 'Ada', 'A']]);
    await loadDirectory(db, {
      directoryId: 1,
      sourceLabel: 'files',
      openSources: () => openLocalFiles({ accounts, contacts }),
      mapping: { clientRoles: { values: { '': 'ACCOUNT_MEMBER' } } },
    });
    const file = await writeCsv(dir, 'nps.csv', [
      header,
      ['003A', '', '9', 'Great, "really" great', '2026-01-31T23:59:59Z'],
      ['003A', '001A', '11', '', '2026-02-01T00:00:00Z'],
      ['003X', '', '7', '', '2026-02-02T00:00:00Z'],
      ['003A', '001Z', '7', '', '2026-02-03T00:00:00Z'],
      ['003A', '', '5', '', '31/01/2026'],
      ['', '', '5', '', '2026-02-04T00:00:00Z'],
    ]);
    const result = await importResponses(db, 1, await openCsvFile(file, 'responses'));
    assert.deepEqual(result, {
      inserted: 1,
      unchanged: 0,
      rejected: 5,
      errors: [
        { line: 3, field: 'Score', message: 'Score "11" is not a whole number from 0 to 10' },
        { line: 4, field: 'Contact.Id', message: 'contact 003X is not in the directory' },
        { line: 5, field: 'Account.Id', message: 'account 001Z is not in the directory' },
        { line: 6, field: 'Responded_At', message: 'value "31/01/2026" is not an ISO 8601 DateTime (e.g. 2024-03-01T09:30:00Z)' },
        { line: 7, field: 'Contact.Id', message: 'Contact.Id is empty' },
      ],
    });
    const rows = await db.query('select contact_external_id, account_external_id, score, comment, responded_at::text from nps_responses');
    assert.deepEqual(rows, [
      { contact_external_id: '003A', account_external_id: '001A', score: 9, comment: 'Great, "really" great', responded_at: '2026-01-31 23:59:59+00' },
    ]);
  });

  it('names the missing columns, showing the header only when it names a column read', async () => {
    const partial = await writeCsv(dir, 'partial.csv', [['Contact.Id', 'Rating'], ['003A', '9']]);
    const secret = path.join(dir, 'secret.csv');
    await writeFile(secret, 'sk_live_0123456789abcdef\n');
    const refusals: string[][] = [];
    for (const file of [partial, secret]) {
      await importResponses(db, 1, await openCsvFile(file, 'responses')).catch((error: { code: string; message: string }) => refusals.push([error.code, error.message]));
    }
    assert.deepEqual(refusals, [
      ['SOURCE_COLUMN_MISSING', 'partial.csv: missing column "Score", "Responded_At"; the header has: Contact.Id, Rating'],
      ['SOURCE_COLUMN_MISSING', 'secret.csv: missing column "Contact.Id", "Score", "Responded_At"; the header names none of the columns read, so it is not shown'],
    ]);
  });

  it('reads a history with its own column names and time format', async () => {
    const accounts = await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]);
    const contacts = await writeCsv(dir, 'contacts.csv', [contactHeader, ['003A', 'false', '', '001A', 'a@acme.example', 'Ada', 'A']]);
    await loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: () => openLocalFiles({ accounts, contacts }), mapping: {} });
    const file = await writeCsv(dir, 'nps.csv', [
      ['Respondent', 'Rating', 'Remarks', 'Date'],
      ['003A', '9', 'Great', '31.01.2026'],
      ['003A', '8', '', '2026-02-01'],
    ]);
    const mapping = { contactId: 'Respondent', score: 'Rating', comment: 'Remarks', respondedAt: 'Date', dateFormat: 'DD.MM.YYYY' };
    const result = await importResponses(db, 1, await openCsvFile(file, 'responses'), mapping);
    assert.deepEqual(result, {
      inserted: 1,
      unchanged: 0,
      rejected: 1,
      errors: [{ line: 3, field: 'Date', message: 'value "2026-02-01" is not a time in the format DD.MM.YYYY' }],
    });
    const rows = await db.query(`select contact_external_id, score, comment, (responded_at at time zone 'UTC')::date::text as day from nps_responses`);
    assert.deepEqual(rows, [{ contact_external_id: '003A', score: 9, comment: 'Great', day: '2026-01-31' }]);
  });
});
