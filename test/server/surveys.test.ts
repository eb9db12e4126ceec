import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { Db } from '../../core/db.ts';
import { outboxMailer } from '../../core/mail.ts';
import { createLogger } from '../../core/log.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { insertDistribution } from '../../core/surveys/create-distribution.ts';
import { sendDistribution } from '../../worker/distribute/send-distribution.ts';
import { defaultTemplates } from '../../core/surveys/template.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadAcme } from './fixture.ts';
import { adminKey, serve, type Served } from './serve.ts';

describe('surveys', function () {
  this.timeout(30_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db);
  });
  afterEach(() => api.close());

  const call = (method: string, path: string, body?: unknown) =>
    api.request(path, { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  /** Acme's directory, a survey, and its distribution to Acme's first mailing list sent into the outbox. */
  async function distributed(linkType: 'individual' | 'anonymous' = 'individual', survey: Record<string, unknown> = {}) {
    await loadAcme(db);
    const { id: surveyId } = await createSurvey(db, { name: 'NPS', ...survey });
    const [list] = await db.query<{ id: number }>(
      `insert into mailing_lists (directory_id, name) values (1, 'Acme') returning id::int`,
    );
    await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, '003A'), ($1, 1, '003B')`, [list!.id]);
    const distribution = (await insertDistribution(db, { audience: 'all',
      surveyId, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType, from: 'nps@acme.example', ...defaultTemplates, sendAt: new Date(),
    }))!;
    const outcome = await sendDistribution({ db, mailer: outboxMailer(db), publicUrl: api.base, logger: createLogger('silent', 'test') }, distribution.id);
    assert.equal(outcome.sent, 2);
    const messages = await db.query<{ to: string; text: string }>('select mail_to as to, text from outbox_messages order by mail_to');
    const link = (m: { text: string }, kind: 's' | 'o') => new URL(new RegExp(`https?://\\S+/${kind}/\\S+`).exec(m.text)![0]).pathname;
    return { surveyId, links: messages.map((m) => ({ to: m.to, survey: link(m, 's'), optOut: link(m, 'o') })) };
  }

  describe('POST /api/surveys', () => {
    it('refuses translations that cannot be shown, naming each one', async () => {
      const problems = async (survey: Record<string, unknown>) => {
        const refused = await call('POST', '/api/surveys', { name: 'Bilingual', ...survey });
        assert.equal(refused.status, 400);
        return (refused.body as { error: { message: string } }).error.message;
      };
      assert.equal(
        await problems({ translations: { de: { emails: { reminder: { text: 'Hallo {{firstName}}, {{surveyLink}}' } } } } }),
        'invalid survey: translations.de.emails.reminder.text: a body has an {{optOutLink}}: every survey email lets its reader opt out',
      );
      const message = await problems({
        commentQuestion: null,
        language: 'de',
        translations: { de: { title: 'Ihre Meinung' }, en: { commentQuestion: 'Why?', extraQuestions: { csat: { text: 'Support?' } } }, English: { title: 'Feedback' } },
      });
      for (const problem of [
        /translations\.de: "de" is the survey's own language/,
        /translations\.en\.commentQuestion: the survey asks for no comment/,
        /translations\.en\.extraQuestions\.csat: no extra question has the key "csat"/,
        /translations\.English: a language code in lower case/,
      ]) assert.match(message, problem);
    });

    it('creates a survey with default texts and refuses a second one of the same name', async () => {
      const created = await call('POST', '/api/surveys', { name: 'Quarterly', extraQuestions: [{ key: 'csat', text: 'Support?' }] });
      assert.equal(created.status, 201);
      const { id, createdAt: _, updatedAt: __, ...survey } = created.body as Record<string, unknown>;
      assert.deepEqual(survey, {
        name: 'Quarterly',
        title: 'Your feedback',
        question: 'How likely are you to recommend us to a friend or colleague?',
        commentQuestion: 'What is the main reason for your score?',
        extraQuestions: [{ key: 'csat', text: 'Support?', min: 1, max: 5 }],
        thankYou: 'Thank you for your answer.',
        language: 'en',
        languageAttribute: null,
        scaleLabels: {},
        emails: {},
        translations: {},
        linkExpiryDays: 30,
        brandColor: null,
        logoUrl: null,
      });
      const again = await call('POST', '/api/surveys', { name: 'Quarterly' });
      assert.deepEqual([again.status, again.body], [409, { error: { code: 'CONFLICT', message: 'a survey named "Quarterly" already exists' } }]);
    });

    it('names the field of an invalid survey', async () => {
      const reply = await call('POST', '/api/surveys', { name: 'X', extraQuestions: [{ key: 'csat', text: 'A', min: 5, max: 1 }] });
      assert.deepEqual([reply.status, reply.body], [400, { error: { code: 'BAD_REQUEST', message: 'invalid survey: extraQuestions.0: min is below max' } }]);
    });

    it('needs the admin key', async () => {
      const reply = await api.request('/api/surveys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"X"}' });
      assert.equal(reply.status, 401);
    });
  });

  describe('the survey page', () => {
    it('is one accessible, mobile-ready HTML page with its texts escaped', async () => {
      const { links } = await distributed('individual', { name: '<NPS>', title: 'Acme <script>alert(1)</script>', question: 'Recommend "Acme"?' });
      const reply = await fetch(api.base + links[0]!.survey);
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type')!, /^text\/html/);
      const html = await reply.text();
      assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
      assert.match(html, /<h1>Acme &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/);
      assert.doesNotMatch(html, /<script/);
      assert.match(html, /<fieldset>\s*<legend>Recommend &quot;Acme&quot;\?<\/legend>/);
      assert.equal(html.match(/<label><input type="radio" name="score" value="\d+" required><span>\d+<\/span><\/label>/g)?.length, 11);
      assert.match(html, /<label for="comment">/);
      assert.match(html, /:focus-visible/);
    });

    it('asks again, keeping the comment, when no score is chosen', async () => {
      const { links } = await distributed();
      const reply = await fetch(api.base + links[0]!.survey, { method: 'POST', body: new URLSearchParams({ comment: 'kept' }) });
      assert.equal(reply.status, 400);
      const html = await reply.text();
      assert.match(html, /<p class="error" role="alert">Please choose a score from 0 to 10\.<\/p>/);
      assert.match(html, />kept<\/textarea>/);
      assert.deepEqual(await db.query('select 1 from nps_responses where survey_id is not null'), []);
    });

    it('updates an answer sent again within a day, and keeps it after that', async () => {
      const { links } = await distributed();
      const post = (score: string) => fetch(api.base + links[0]!.survey, { method: 'POST', body: new URLSearchParams({ score }) });
      assert.equal((await post('4')).status, 200);
      const second = await post('8');
      assert.match(await second.text(), /Your answer is updated\./);
      const reopened = await (await fetch(api.base + links[0]!.survey)).text();
      assert.match(reopened, /value="8" checked/, 'the page shows the answer given');
      assert.deepEqual(await db.query('select contact_external_id, account_external_id, score from nps_responses where survey_id is not null'), [
        { contact_external_id: '003A', account_external_id: '001A', score: 8 },
      ]);
      await db.query(`update nps_responses set responded_at = now() - interval '25 hours' where survey_id is not null`);
      const late = await post('0');
      assert.equal(late.status, 409);
      assert.deepEqual((await db.query<{ score: number }>('select score from nps_responses where survey_id is not null')).map((r) => r.score), [8]);
    });

    it('answers 404 to a token that opens nothing', async () => {
      const reply = await fetch(`${api.base}/s/AAAAAAAAAAAAAAAAAAAAAA`);
      assert.equal(reply.status, 404);
      assert.match(await reply.text(), /This link does not open a survey/);
    });
  });

  describe('a scheduled distribution', () => {
    it('skips, when it starts sending, a recipient who opted out after it was created', async () => {
      await loadAcme(db);
      const { id: surveyId } = await createSurvey(db, { name: 'NPS' });
      const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name) values (1, 'Acme') returning id::int`);
      await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, '003A'), ($1, 1, '003B')`, [list!.id]);
      const later = (await insertDistribution(db, { audience: 'all',
        surveyId, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType: 'individual', from: 'nps@acme.example', ...defaultTemplates, sendAt: new Date(),
      }))!;
      // Bob opts out through a link of an earlier survey, before this one goes out.
      const earlier = (await insertDistribution(db, { audience: 'all',
        surveyId, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType: 'individual', from: 'nps@acme.example', ...defaultTemplates, sendAt: new Date(),
      }))!;
      const [bob] = await db.query<{ token: string }>(`select token from distribution_recipients where distribution_id = $1 and contact_external_id = '003B'`, [earlier.id]);
      assert.equal((await fetch(`${api.base}/o/${bob!.token}`, { method: 'POST' })).status, 200);
      await sendDistribution({ db, mailer: outboxMailer(db), publicUrl: api.base, logger: createLogger('silent', 'test') }, later.id);
      assert.deepEqual(await db.query(`select contact_external_id, state, skip_reason from distribution_recipients where distribution_id = $1 order by 1`, [later.id]), [
        { contact_external_id: '003A', state: 'sent', skip_reason: null },
        { contact_external_id: '003B', state: 'skipped', skip_reason: 'opted_out' },
      ]);
      assert.deepEqual((await db.query('select mail_to from outbox_messages')).map((m) => m.mail_to), ['ada@acme.example']);
    });
  });

  describe('GET /api/distributions?run= and ?directory=', () => {
    it('lists the distributions that invite the mailing list a run loaded, with their counts', async () => {
      const { first, second } = await loadAcme(db);
      const { id: surveyId } = await createSurvey(db, { name: 'NPS' });
      // As a load with a mailing list name does: the list of the contacts the second run loaded.
      const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name, run_id) values (1, 'Acme 2', $1) returning id::int`, [second.runId]);
      await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, '003A'), ($1, 1, '003B')`, [list!.id]);
      const distribution = (await insertDistribution(db, { audience: 'all',
        surveyId, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType: 'individual', from: 'nps@acme.example', ...defaultTemplates, sendAt: new Date(),
      }))!;
      const ofRun = async (runId: number | string) => {
        const reply = await call('GET', `/api/distributions?run=${runId}`);
        return [reply.status, (reply.body as { items: { id: number; recipients: Record<string, number> }[] }).items?.map((d) => [d.id, d.recipients.pending]) ?? reply.body];
      };
      assert.deepEqual(await ofRun(second.runId), [200, [[distribution.id, 2]]]);
      assert.deepEqual(await ofRun(first.runId), [200, []]);
      assert.deepEqual(await ofRun('x'), [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "run" must be a run id' } }]);
      const [other] = await db.query<{ id: number }>(`insert into directories (name) values ('Other') returning id::int`);
      const ofDirectory = async (directory: number) => ((await call('GET', `/api/distributions?directory=${directory}`)).body as { items: { id: number }[] }).items.map((d) => d.id);
      assert.deepEqual([await ofDirectory(1), await ofDirectory(other!.id)], [[distribution.id], []]);
    });
  });

  describe('GET /api/outbox, and /outbox', () => {
    it("lists the kept messages with their links; the old /outbox page's address leads to the console's outbox", async () => {
      const { links } = await distributed();
      const listed = await call('GET', '/api/outbox');
      const body = listed.body as { total: number; items: { to: string; text: string }[] };
      assert.deepEqual([body.total, body.items.map((m) => m.to).sort()], [2, ['ada@acme.example', 'bob@acme.example']]);
      for (const link of links) assert.ok(body.items.some((m) => m.text.includes(`${api.base}${link.survey}`)), `a message links ${link.survey}`);
      const old = await fetch(`${api.base}/outbox`, { redirect: 'manual' });
      assert.deepEqual([old.status, old.headers.get('location')], [301, '/mail']);
    });
  });

  describe('GET /api/outbox/:id/body', () => {
    it("answers a message's HTML under a policy that runs no script and lets only this origin frame it", async () => {
      await distributed();
      const [message] = await db.query<{ id: number; html: string }>('select id::int, html from outbox_messages order by id limit 1');
      const reply = await fetch(`${api.base}/api/outbox/${message!.id}/body`, { headers: { authorization: `Bearer ${adminKey}` } });
      assert.deepEqual(
        [reply.status, reply.headers.get('content-type'), reply.headers.get('content-security-policy'), reply.headers.get('x-frame-options'), await reply.text()],
        [200, 'text/html; charset=utf-8', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; base-uri 'none'; form-action 'none'; frame-ancestors 'self'", 'SAMEORIGIN', message!.html],
      );
      const missing = await call('GET', '/api/outbox/999/body');
      assert.deepEqual([missing.status, missing.body], [404, { error: { code: 'NOT_FOUND', message: 'outbox message 999 does not exist or has no HTML body' } }]);
    });
  });

  describe('GET /api/surveys/:id/responses and /api/distributions/:id', () => {
    it('shows the answers and the distribution counts', async () => {
      const { surveyId, links } = await distributed('individual', { extraQuestions: [{ key: 'csat', text: 'Support?' }] });
      await fetch(api.base + links[1]!.survey, { method: 'POST', body: new URLSearchParams({ score: '10', q_csat: '5', comment: 'Great' }) });
      const responses = await call('GET', `/api/surveys/${surveyId}/responses`);
      const { items, total } = responses.body as { total: number; items: Record<string, unknown>[] };
      assert.deepEqual([total, items.map(({ contactExternalId, accountExternalId, score, comment, answers }) => ({ contactExternalId, accountExternalId, score, comment, answers }))], [
        1, [{ contactExternalId: '003B', accountExternalId: '001A', score: 10, comment: 'Great', answers: { csat: 5 } }],
      ]);
      const list = await call('GET', `/api/distributions?survey=${surveyId}`);
      const [distribution] = (list.body as { items: { id: number; recipients: unknown; state: string }[] }).items;
      assert.deepEqual([distribution!.state, distribution!.recipients], ['finished', { pending: 0, sending: 0, sent: 2, failed: 0, skipped: 0, inDoubt: 0 }]);
    });
  });

  describe('POST /api/responses', () => {
    it('imports an NPS history from JSON, naming each rejected item', async () => {
      await loadAcme(db);
      const reply = await call('POST', '/api/responses', {
        responses: [
          { contactId: '003A', score: 9, comment: 'Fine', respondedAt: '2026-01-15T10:00:00Z' },
          { contactId: '003B', accountId: '001A', score: 11, respondedAt: '2026-01-16T10:00:00Z' },
          { contactId: '003Z', score: 5, respondedAt: '2026-01-17T10:00:00Z' },
          { contact: '003A' },
        ],
      });
      assert.equal(reply.status, 200);
      const body = reply.body as { inserted: number; rejected: number; errors: { line: number; field: string | null; message: string }[] };
      assert.deepEqual([body.inserted, body.rejected, body.errors.map((e) => [e.line, e.field])], [1, 3, [[2, 'Score'], [3, 'Contact.Id'], [4, null]]]);
      assert.deepEqual(await db.query('select contact_external_id, account_external_id, score from nps_responses'), [
        { contact_external_id: '003A', account_external_id: '001A', score: 9 },
      ]);
    });

    it('streams an NDJSON history larger than a JSON body may be, and refuses such a JSON body with 413 naming CSV and NDJSON', async () => {
      await loadAcme(db);
      const rows = 12_000;
      const comment = 'x'.repeat(2000);
      const start = Date.parse('2020-01-01T00:00:00Z');
      // About 25 MB, generated as it is sent.
      function* lines() {
        for (let i = 0; i < rows; i++) {
          yield `${JSON.stringify({ contactId: i % 2 ? '003A' : '003B', score: i % 11, comment, respondedAt: new Date(start + i * 60_000).toISOString() })}\n`;
        }
        yield '{"contactId":\n';
      }
      const body = Readable.toWeb(Readable.from(lines())) as ReadableStream;
      const reply = await fetch(`${api.base}/api/responses`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/x-ndjson' }, body, duplex: 'half' } as RequestInit);
      assert.deepEqual([reply.status, await reply.json()], [
        200,
        { inserted: rows, unchanged: 0, rejected: 1, errors: [{ line: rows + 1, field: null, message: 'INVALID_JSON: the line is not a JSON object' }] },
      ]);
      assert.deepEqual(await db.query('select count(*)::int as n, sum(length(comment))::bigint as chars from nps_responses'), [{ n: rows, chars: String(rows * 2000) }]);

      const refused = await call('POST', '/api/responses', { responses: [{ contactId: '003A', score: 9, comment: 'x'.repeat(21 * 1024 * 1024), respondedAt: '2026-01-15T10:00:00Z' }] });
      assert.deepEqual([refused.status, refused.body], [
        413,
        { error: { code: 'BAD_REQUEST', message: 'a JSON body is at most 20 MB: send a larger history as CSV (text/csv) or NDJSON (application/x-ndjson), which are streamed' } },
      ]);
    });

    it('imports an NPS history from a CSV body', async () => {
      await loadAcme(db);
      const csv = 'Contact.Id,Account.Id,Score,Comment,Responded_At\n003A,,7,"Good, mostly",2026-02-01T09:00:00Z\n003D,001E,2,,2026-02-02T09:00:00Z\n';
      const reply = await api.request('/api/responses', { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' }, body: csv });
      assert.deepEqual([reply.status, (reply.body as { inserted: number }).inserted], [200, 2]);
      assert.deepEqual(await db.query('select contact_external_id, comment from nps_responses order by 1'), [
        { contact_external_id: '003A', comment: 'Good, mostly' },
        { contact_external_id: '003D', comment: null },
      ]);
    });

    it('takes a CSV body with its own column names and time format, named in the query', async () => {
      await loadAcme(db);
      const csv = 'Who,NPS,When\n003A,7,01/02/2026 09:30\n';
      const query = new URLSearchParams({ contactId: 'Who', score: 'NPS', respondedAt: 'When', dateFormat: 'DD/MM/YYYY HH:mm' });
      const reply = await api.request(`/api/responses?${query}`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' }, body: csv });
      assert.deepEqual([reply.status, (reply.body as { inserted: number }).inserted], [200, 1]);
      assert.deepEqual(await db.query(`select contact_external_id, score, to_char(responded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as at from nps_responses`), [
        { contact_external_id: '003A', score: 7, at: '2026-02-01 09:30' },
      ]);
    });
  });

  describe('a distribute task in a workflow', () => {
    const tasks = (distribute: Record<string, unknown>, load: Record<string, unknown> = { mailingListName: 'Daily' }) => [
      { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: 'contacts.csv' },
      { type: 'load', name: 'load', extracts: { contacts: 'contacts' }, ...load },
      { type: 'distribute', name: 'survey', load: 'load', surveyId: 1, ...distribute },
    ];
    const save = (definition: unknown) => call('POST', '/api/workflows', { name: 'Daily', definition });

    it('is saved when its load task creates a mailing list and its survey exists', async () => {
      await createSurvey(db, { name: 'NPS' });
      const reply = await save({ tasks: tasks({ linkType: 'anonymous', send: { delayMinutes: 30 } }) });
      assert.equal(reply.status, 201);
    });

    it('refuses reminders that could not be answered or spare nobody, naming the task and field', async () => {
      await createSurvey(db, { name: 'NPS' });
      const message = async (distribute: Record<string, unknown>) => ((await save({ tasks: tasks(distribute) })).body as { error: { message: string } }).error.message;
      assert.equal(
        await message({ linkType: 'anonymous', reminders: [{ afterDays: 3 }], thankYouEmail: true }),
        'invalid workflow definition: tasks.2.reminders: reminders need individual links: an anonymous answer names nobody to spare; '
          + 'tasks.2.thankYouEmail: a thank-you email needs individual links: an anonymous answer names nobody to thank',
      );
      assert.equal(
        await message({ linkExpiryDays: 5, reminders: [{ afterDays: 3 }, { afterDays: 7 }] }),
        'invalid workflow definition: tasks.2.reminders.1.afterDays: the link expires 5 days after the invitation: a reminder after that could not be answered',
      );
      assert.match(await message({ reminders: [{ afterDays: 3 }, { afterDays: 3 }] }), /tasks\.2\.reminders\.1\.afterDays: the second reminder comes after the first/);
      assert.match(await message({ reminders: [{ afterDays: 1 }, { afterDays: 2 }, { afterDays: 3 }] }), /tasks\.2\.reminders: .*2/);
      assert.equal((await save({ tasks: tasks({ linkExpiryDays: 14, reminders: [{ afterDays: 3 }, { afterDays: 7 }], thankYouEmail: true }) })).status, 201);
    });

    it('takes a sender address alone or after a display name, quoted or not', async () => {
      await createSurvey(db, { name: 'NPS' });
      for (const from of ['surveys@acme.example', 'Acme Surveys <surveys@acme.example>', '"Acme, Inc." <surveys@acme.example>', 'Zoë Müller<zoe@acme.example>']) {
        const reply = await call('POST', '/api/workflows', { name: `Survey from ${from}`, definition: { tasks: tasks({ from }) } });
        assert.deepEqual([from, reply.status], [from, 201]);
      }
    });

    it('is refused, with the path of each problem, for a wrong reference, a missing survey or an unknown placeholder', async () => {
      const wrongLoad = await save({ tasks: tasks({ load: 'contacts' }) });
      assert.deepEqual(wrongLoad.body, { error: { code: 'BAD_REQUEST', message: 'invalid workflow definition: tasks.2.load: "contacts" is not a load task' } });
      const noList = await save({ tasks: tasks({}, { mailingListName: undefined }) });
      assert.match((noList.body as { error: { message: string } }).error.message, /tasks\.2\.load: load task "load" creates no mailing list/);
      const placeholder = await save({ tasks: tasks({ subject: 'Hi {{nickname}}' }) });
      assert.match((placeholder.body as { error: { message: string } }).error.message, /tasks\.2\.subject: unknown placeholder \{\{nickname\}\}/);
      for (const from of ['surveys', 'Acme <surveys>', 'Acme, Inc. <surveys@acme.example>', 'surveys@acme.example\r\nBcc: all@acme.example', '"Acme <surveys@acme.example>']) {
        const notAnAddress = await save({ tasks: tasks({ from }) });
        assert.deepEqual([from, notAnAddress.body], [
          from,
          { error: { code: 'BAD_REQUEST', message: 'invalid workflow definition: tasks.2.from: a sender address, e.g. "surveys@example.com" or "Acme Surveys <surveys@example.com>"' } },
        ]);
      }
      const noSurvey = await save({ tasks: tasks({}) });
      assert.deepEqual(noSurvey.body, { error: { code: 'BAD_REQUEST', message: 'invalid workflow definition: tasks.2.surveyId: survey 1 does not exist' } });
    });
  });
});
