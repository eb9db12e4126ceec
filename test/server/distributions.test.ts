import assert from 'node:assert/strict';
import { loadConfig } from '../../core/config.ts';
import type { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { sendQueue } from '../../core/surveys/create-distribution.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { openLocalFiles } from '../../worker/extract/local-files.ts';
import { loadDirectory } from '../../worker/load/load-directory.ts';
import { startWorker, type Worker } from '../../worker/worker.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { adminKey, serve, testApp, type Served } from './serve.ts';

type Distribution = { id: number; state: string; audience: string; workflowId: number | null; sendAt: string; mailingListId: number; recipients: Record<string, number>; skipped: Record<string, number> };

describe('distributions asked for through the API', function () {
  this.timeout(40_000);
  let db: Db;
  let sink: SmtpSink;
  let worker: Worker;
  let api: Served;
  let surveyId: number;
  let listId: number;

  beforeEach(async function () {
    let url: string;
    ({ db, url } = await testDatabase(this));
    sink = await startSmtpSink();
    const config = loadConfig({ DATABASE_URL: url, SMTP_URL: sink.url, PUBLIC_URL: 'http://survey.example', MAIL_FROM: 'Acme <nps@acme.example>', SMTP_CONNECTIONS: '2' });
    worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config });
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { sendQueue: sendQueue(worker.boss) }));
    const dir = await tempDir();
    const load = await loadDirectory(db, {
      directoryId: 1,
      sourceLabel: 'files',
      openSources: async () => openLocalFiles({
        accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', ''], ['001Z', 'false', 'Zeta', '']]),
        contacts: await writeCsv(dir, 'contacts.csv', [
          contactHeader,
          ['003A', 'false', '', '001A', 'ada@acme.example', 'Ada', 'Lovelace'],
          ['003B', 'false', '', '001A', 'bob@acme.example', 'Bob', 'Builder'],
          ['003C', 'false', '', '001Z', 'cy@zeta.example', 'Cy', 'Young'],
        ]),
      }),
      mapping: {},
      mailingListName: 'Import',
    });
    listId = load.mailingList!.id;
    surveyId = (await createSurvey(db, { name: 'Quarterly NPS' })).id;
  });

  afterEach(async () => {
    await api.close();
    await worker.stop();
    await sink.close();
  });

  const send = (method: string, path: string, body: unknown) =>
    api.request(path, { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const post = (body: unknown) => send('POST', '/api/distributions', body);
  const sent = async (id: number) =>
    eventually(async () => {
      const { body } = await api.get(`/api/distributions/${id}`);
      assert.equal((body as Distribution).state, 'finished');
      return body as Distribution;
    }, { what: `distribution ${id} is finished`, timeoutMs: 15_000 });

  describe('POST /api/distributions', () => {
    it('sends a survey to every member of a mailing list once; asked again, it sends nobody a second message', async () => {
      const first = await post({ surveyId, mailingListId: listId, requestKey: 'form-1' });
      assert.deepEqual([first.status, (first.body as Distribution).audience, (first.body as Distribution).workflowId], [201, 'all', null]);
      const id = (first.body as Distribution).id;
      assert.deepEqual((await sent(id)).recipients, { pending: 0, sending: 0, sent: 3, failed: 0, skipped: 0, inDoubt: 0 });

      const again = await post({ surveyId, mailingListId: listId, requestKey: 'form-1' });
      assert.deepEqual([again.status, (again.body as Distribution).id], [200, id], 'the same request key answers the distribution it made');
      const other = await post({ surveyId, mailingListId: listId });
      assert.equal(other.status, 201);
      const second = await sent((other.body as Distribution).id);
      assert.deepEqual([second.recipients.sent, second.skipped], [0, { same_survey_12h: 3 }]);
      assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example', 'cy@zeta.example']);

      const skipped = await api.get(`/api/distributions/${(other.body as Distribution).id}/recipients?state=skipped`);
      assert.deepEqual((skipped.body as { items: { contactExternalId: string; skipReason: string }[] }).items.map((r) => [r.contactExternalId, r.skipReason]), [
        ['003A', 'same_survey_12h'], ['003B', 'same_survey_12h'], ['003C', 'same_survey_12h'],
      ]);
    });

    it('sends to the contacts a search matches, kept as a mailing list named after it', async () => {
      const reply = await post({ surveyId, contacts: { search: 'acme.example' } });
      assert.equal(reply.status, 201);
      const distribution = await sent((reply.body as Distribution).id);
      assert.equal(distribution.recipients.sent, 2);
      assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example']);
      const lists = await api.get('/api/mailing-lists');
      const list = (lists.body as { items: { id: number; name: string; members: number }[] }).items.find((l) => l.id === distribution.mailingListId);
      assert.deepEqual([list?.name, list?.members], [`Contacts matching "acme.example" #${distribution.mailingListId}`, 2]);
    });

    it('waits for its set time', async () => {
      const at = new Date(Date.now() + 3 * 3600_000);
      const reply = await post({ surveyId, mailingListId: listId, send: { at: at.toISOString() } });
      const distribution = reply.body as Distribution;
      assert.deepEqual([reply.status, distribution.state, distribution.sendAt, distribution.recipients.pending], [201, 'scheduled', at.toISOString(), 3]);
      const [job] = await db.query<{ startAfter: Date }>(`select start_after as "startAfter" from pgboss.job where name = 'distribution-send'`);
      assert.equal(job!.startAfter.toISOString(), at.toISOString());
    });

    it('refuses a request that names no recipients, two kinds of them, or what the directory does not hold, naming the field', async () => {
      const answers = await Promise.all([
        post({ surveyId }),
        post({ surveyId, mailingListId: listId, contacts: { search: '' } }),
        post({ surveyId: 999, mailingListId: listId }),
        post({ surveyId, mailingListId: 999 }),
        post({ surveyId, mailingListId: listId, directoryId: 999 }),
        post({ surveyId, mailingListId: listId, send: { at: 'tomorrow' } }),
      ]);
      assert.deepEqual(answers.map((a) => [a.status, (a.body as { error: { message: string } }).error.message]), [
        [400, 'invalid distribution: mailingListId: send to a mailingListId or to contacts (one of them)'],
        [400, 'invalid distribution: mailingListId: send to a mailingListId or to contacts (one of them)'],
        [400, 'invalid distribution: surveyId: survey 999 does not exist'],
        [400, 'invalid distribution: mailingListId: mailing list 999 is not in directory 1'],
        [404, 'directory 999 does not exist'],
        [400, 'invalid distribution: send.at: a time with its offset, e.g. "2026-12-24T09:00:00+01:00"'],
      ]);
      assert.deepEqual(await db.query('select count(*)::int as n from distributions'), [{ n: 0 }]);
    });

    it('keeps the reminders, link expiry and thank-you it is asked for, and refuses those an anonymous link cannot have', async () => {
      const later = { send: { at: new Date(Date.now() + 3600_000).toISOString() } };
      const reply = await post({ surveyId, mailingListId: listId, ...later, linkExpiryDays: 14, reminders: [{ afterDays: 3 }, { afterDays: 7 }], thankYouEmail: true });
      const made = reply.body as Distribution & { reminderDays: number[]; linkExpiryDays: number | null; thankYouEmail: boolean };
      assert.deepEqual([reply.status, made.reminderDays, made.linkExpiryDays, made.thankYouEmail], [201, [3, 7], 14, true]);

      const refused = await post({ surveyId, mailingListId: listId, ...later, linkType: 'anonymous', reminders: [{ afterDays: 3 }] });
      assert.deepEqual([refused.status, (refused.body as { error: { message: string } }).error.message], [
        400, 'invalid distribution: reminders: reminders need individual links: an anonymous answer names nobody to spare',
      ]);
      assert.deepEqual(await db.query('select count(*)::int as n from distributions'), [{ n: 1 }]);
    });
  });

  describe('GET, PUT /api/directories/:id/contact-rules', () => {
    it('answers the default rule, saves another that the next distribution follows, and names a bad field', async () => {
      assert.deepEqual((await api.get('/api/directories/1/contact-rules')).body, { directoryId: 1, maxInvitations: 1, periodDays: 30, perSurvey: false, updatedAt: null });
      const put = (body: unknown) => send('PUT', '/api/directories/1/contact-rules', body);
      const refused = await put({ maxInvitations: 0, periodDays: 30 });
      assert.deepEqual([refused.status, (refused.body as { error: { message: string } }).error.message], [400, 'invalid contact rules: maxInvitations: the invitations one address may get in the period is at least 1']);
      const saved = await put({ maxInvitations: 2, periodDays: 7 });
      assert.deepEqual([saved.status, { ...(saved.body as object), updatedAt: undefined }], [200, { directoryId: 1, maxInvitations: 2, periodDays: 7, perSurvey: false, updatedAt: undefined }]);

      const other = (await createSurvey(db, { name: 'Onboarding' })).id;
      await sent(((await post({ surveyId, mailingListId: listId })).body as Distribution).id);
      const second = await sent(((await post({ surveyId: other, mailingListId: listId })).body as Distribution).id);
      const third = await sent(((await post({ surveyId: (await createSurvey(db, { name: 'Support' })).id, mailingListId: listId })).body as Distribution).id);
      assert.deepEqual([second.recipients.sent, third.recipients.sent, third.skipped], [3, 0, { contact_frequency: 3 }]);
      assert.equal(sink.received.length, 6);
    });
  });
});
