import assert from 'node:assert/strict';
import { TestClock } from 'pg-boss';
import { loadConfig } from '../../../core/config.ts';
import type { Db } from '../../../core/db.ts';
import { createLogger } from '../../../core/log.ts';
import { Queue } from '../../../core/queues.ts';
import { findDistribution } from '../../../core/surveys/distributions.ts';
import { surveyJobs } from '../../../core/surveys/follow-ups.ts';
import { createSurvey } from '../../../core/surveys/queries.ts';
import { createWorkflow } from '../../../core/workflows/queries.ts';
import { startWorker, type Worker } from '../../../worker/worker.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { linksOf, startSmtpSink, type ReceivedMail, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { serve, testApp, type Served } from '../../server/serve.ts';

const day = 86_400_000;

/** Four contacts with an address, one German by the language attribute that Salesforce exports. */
const contacts = [
  [...contactHeader, 'Language__c'],
  ['003A', 'false', '', '001A', 'ada@acme.example', 'Ada', 'Lovelace', 'en'],
  ['003B', 'false', '', '001A', 'bob@acme.example', 'Bob', 'Builder', ''],
  ['003C', 'false', '', '001B', 'cy@zeta.example', 'Cy', 'Young', 'fr'],
  ['003D', 'false', '', '001B', 'dora@zeta.example', 'Dora', 'Dietrich', 'de-DE'],
];

const german = {
  title: 'Ihre Meinung',
  question: 'Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?',
  commentQuestion: 'Was ist der wichtigste Grund für Ihre Bewertung?',
  thankYou: 'Vielen Dank für Ihre Antwort.',
  extraQuestions: { csat: { text: 'Wie zufrieden sind Sie mit dem Support?' } },
};

describe('reminders, link expiry, thank-yous and languages', function () {
  this.timeout(60_000);
  let db: Db;
  let url: string;
  let sink: SmtpSink;
  let api: Served;
  let worker: Worker | undefined;
  let clock: TestClock;
  let surveyId: number;
  let imports: string;
  let files: { accounts: string; contacts: string };
  /** How far ahead of the real time the survey pages think it is. */
  let pagesAheadMs: number;

  beforeEach(async function () {
    ({ db, url } = await testDatabase(this));
    sink = await startSmtpSink();
    pagesAheadMs = 0;
    const app = await testApp(db, undefined, undefined, undefined, {
      surveyJobs: { answered: (recipientId) => surveyJobs(worker!.boss).answered(recipientId) },
      now: () => new Date(Date.now() + pagesAheadMs),
    });
    api = await serve(db, undefined, undefined, app);
    imports = await tempDir();
    files = {
      accounts: await writeCsv(imports, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', ''], ['001B', 'false', 'Zeta', '']]),
      contacts: await writeCsv(imports, 'contacts.csv', contacts),
    };
    surveyId = (await createSurvey(db, {
      name: 'NPS', title: 'Your feedback', languageAttribute: 'language', translations: { de: german },
      extraQuestions: [{ key: 'csat', text: 'How satisfied are you with support?' }],
    })).id;
    clock = new TestClock();
    const config = loadConfig({ DATABASE_URL: url, SMTP_URL: sink.url, PUBLIC_URL: api.base, MAIL_FROM: 'Acme <nps@acme.example>', SECRET_KEY: 'a-test-secret-key-of-32-characters!', IMPORT_DIR: imports });
    worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config, clock });
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await api.close();
    await sink.close();
  });

  /** Runs a workflow that loads the contacts (their language attribute too) and distributes the survey with `distribute`; answers its distribution once sent. */
  async function distribute(distribute: Record<string, unknown>) {
    const workflow = await createWorkflow(db, {
      name: 'Daily',
      definition: {
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: files.accounts },
          { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: files.contacts },
          { type: 'load', name: 'load', mailingListName: 'Import', extracts: { accounts: 'accounts', contacts: 'contacts' }, mapping: { contacts: { extra: { language: 'Language__c' } } } },
          { type: 'distribute', name: 'survey', load: 'load', surveyId, ...distribute },
        ],
      },
    }, imports);
    await worker!.boss.send(Queue.workflowRun, { workflowId: workflow.id, version: workflow.version });
    const id = await eventually(async () => {
      await clock.tick(500);
      const [row] = await db.query<{ id: number; state: string }>('select id::int, state from distributions');
      assert.equal(row?.state, 'finished');
      return row!.id;
    }, { what: 'the distribution is sent', timeoutMs: 20_000 });
    return findDistribution(db, id);
  }

  const mailTo = (who: string) => sink.received.filter((m) => m.to === who);
  const subjects = () => sink.received.map((m) => `${m.to} ${m.subject}`).sort();
  const answer = (mail: ReceivedMail, score: string) => fetch(linksOf(mail).survey, { method: 'POST', body: new URLSearchParams({ score }) });

  /** Moves the job queue's clock to `ms` after now and lets due jobs run until `settled` holds. */
  async function moveClockTo(at: number, settled: () => void | Promise<void>, what: string) {
    await clock.setTime(at);
    await eventually(async () => {
      await clock.tick(500);
      await settled();
    }, { what, timeoutMs: 20_000 });
  }

  it('reminds, once each at its time, only those who neither answered nor opted out, and thanks who answered', async () => {
    const start = clock.now();
    const sent = await distribute({ reminders: [{ afterDays: 3 }, { afterDays: 7 }], thankYouEmail: true });
    assert.equal(sent.recipients.sent, 4);
    const invitations = new Map(sink.received.map((m) => [m.to, m]));

    // Ada answers and is thanked; Bob opts out. Neither is reminded.
    assert.equal((await answer(invitations.get('ada@acme.example')!, '9')).status, 200);
    await moveClockTo(start + 60_000, () => assert.equal(mailTo('ada@acme.example').length, 2), 'Ada is thanked');
    assert.equal(mailTo('ada@acme.example')[1]!.subject, 'Thank you for your answer');
    assert.equal((await answer(invitations.get('ada@acme.example')!, '10')).status, 200, 'an answer changed within the day is no second answer');
    assert.equal((await fetch(linksOf(invitations.get('bob@acme.example')!).optOut, { method: 'POST' })).status, 200);

    // A minute before the first reminder is due, nothing more has gone out.
    await clock.setTime(start + 3 * day - 60_000);
    await clock.tick(30_000);
    const started = await db.query(`select 1 from pgboss.job where name = $1 and started_on is not null and data ->> 'kind' = 'reminder'`, [Queue.surveyFollowUp]);
    assert.deepEqual([sink.received.length, started], [5, []], 'no reminder job has started');

    await moveClockTo(start + 3 * day + 60_000, () => assert.equal(sink.received.length, 7), 'the first reminders go out');
    assert.deepEqual(subjects().filter((s) => /Erinnerung|reminder/.test(s)), [
      'cy@zeta.example A reminder: Your feedback',
      'dora@zeta.example Erinnerung: Ihre Meinung',
    ]);
    const cyReminder = mailTo('cy@zeta.example')[1]!;
    assert.equal(linksOf(cyReminder).survey, linksOf(invitations.get('cy@zeta.example')!).survey, 'the reminder carries the same link');

    // The first round's job runs again (a retry after a crash): nobody gets it twice.
    await worker!.boss.send(Queue.surveyFollowUp, { kind: 'reminder', distributionId: sent.id, round: 1 });
    await clock.tick(2_000);
    await eventually(async () => {
      await clock.tick(500);
      const [open] = await db.query<{ n: number }>(`select count(*)::int as n from pgboss.job where name = $1 and state < 'completed' and data ->> 'kind' = 'reminder'`, [Queue.surveyFollowUp]);
      assert.equal(open!.n, 1, 'only the second round waits');
    }, { what: 'the repeated first round has run' });
    assert.equal(sink.received.length, 7);

    // Cy answers after the first reminder: only Dora gets the second, four days later.
    assert.equal((await answer(cyReminder, '6')).status, 200);
    const settled = async () => {
      assert.equal(sink.received.length, 9);
      assert.deepEqual(await db.query(`select 1 from recipient_follow_ups where state = 'sending'`), []);
    };
    await moveClockTo(start + 7 * day + 60_000, settled, 'the second reminder and the thank-you to Cy go out');
    assert.deepEqual(subjects(), [
      'ada@acme.example Thank you for your answer',
      'ada@acme.example Your feedback: how likely are you to recommend us?',
      'bob@acme.example Your feedback: how likely are you to recommend us?',
      'cy@zeta.example A reminder: Your feedback',
      'cy@zeta.example Thank you for your answer',
      'cy@zeta.example Your feedback: how likely are you to recommend us?',
      'dora@zeta.example Erinnerung: Ihre Meinung',
      'dora@zeta.example Erinnerung: Ihre Meinung',
      'dora@zeta.example Ihre Meinung: Wie wahrscheinlich empfehlen Sie uns weiter?',
    ]);
    const followUps = await db.query(
      `select r.contact_external_id as contact, f.kind, f.state from recipient_follow_ups f join distribution_recipients r on r.id = f.recipient_id order by 1, 2`,
    );
    assert.deepEqual(followUps, [
      { contact: '003A', kind: 'thank_you', state: 'sent' },
      { contact: '003C', kind: 'reminder_1', state: 'sent' },
      { contact: '003C', kind: 'thank_you', state: 'sent' },
      { contact: '003D', kind: 'reminder_1', state: 'sent' },
      { contact: '003D', kind: 'reminder_2', state: 'sent' },
    ]);
    const { body } = await api.get(`/api/distributions/${sent.id}`);
    const { reminderDays, linkExpiryDays, thankYouEmail, followUps: counts } = body as Record<string, unknown>;
    const n = (sent: number) => ({ sending: 0, sent, failed: 0, inDoubt: 0 });
    assert.deepEqual({ reminderDays, linkExpiryDays, thankYouEmail, counts }, {
      reminderDays: [3, 7], linkExpiryDays: null, thankYouEmail: true, counts: { reminder1: n(2), reminder2: n(1), thankYou: n(2) },
    });
  });

  it('sends a reminder the SMTP server refused for now on the job\'s retry, and still each only once', async () => {
    const start = clock.now();
    let refused = 0;
    // Cy's reminder is refused once with a temporary failure; the job fails, and its retry (a minute later) sends it.
    sink.behave((to) => {
      if (to !== 'cy@zeta.example' || sink.received.length < 4 || refused > 0) return 'accept';
      refused++;
      return { code: 451, message: 'local error in processing, try again later' };
    });
    await distribute({ reminders: [{ afterDays: 2 }] });
    await moveClockTo(start + 2 * day + 60_000, () => assert.deepEqual([refused, sink.received.length], [1, 8]), 'the retry sends the refused reminder');
    const [job] = await db.query<{ retries: number }>(`select retry_count as retries from pgboss.job where name = $1`, [Queue.surveyFollowUp]);
    assert.equal(job!.retries, 1, 'the refusal failed the job once');
    await clock.tick(5_000);
    const reminders = sink.received.filter((m) => /reminder|Erinnerung/i.test(m.subject)).map((m) => m.to).sort();
    assert.deepEqual(reminders, ['ada@acme.example', 'bob@acme.example', 'cy@zeta.example', 'dora@zeta.example']);
    assert.deepEqual(await db.query(`select kind, state, count(*)::int as n from recipient_follow_ups group by 1, 2`), [{ kind: 'reminder_1', state: 'sent', n: 4 }]);
  });

  it('shows a kind expiry page, answering 410, once an individual link has expired, and takes no answer there', async () => {
    await distribute({ linkExpiryDays: 5 });
    const [ada, bob, dora] = [mailTo('ada@acme.example')[0]!, mailTo('bob@acme.example')[0]!, mailTo('dora@zeta.example')[0]!];
    assert.equal((await answer(bob, '8')).status, 200);
    pagesAheadMs = 4 * day;
    assert.equal((await fetch(linksOf(ada).survey)).status, 200, 'open for five days');
    pagesAheadMs = 5 * day + 60_000;
    const expired = await fetch(linksOf(ada).survey);
    const page = await expired.text();
    assert.deepEqual([expired.status, /<html lang="en">/.test(page), /<h1>This survey has closed<\/h1>/.test(page), /nothing more to do/.test(page)], [410, true, true, true]);
    assert.doesNotMatch(page, /<form/);
    const late = await answer(ada, '7');
    assert.equal(late.status, 410);
    assert.deepEqual(await db.query('select contact_external_id, score from nps_responses'), [{ contact_external_id: '003B', score: 8 }]);
    const answered = await fetch(linksOf(bob).survey);
    assert.deepEqual([answered.status, /Your answer of .* is recorded\./.test(await answered.text())], [200, true], 'an answered link keeps showing its answer');
    const german = await (await fetch(linksOf(dora).survey)).text();
    assert.match(german, /<html lang="de">/);
    assert.match(german, /<h1>Diese Umfrage ist beendet<\/h1>/);
  });

  it("gives a German contact the German email and page, with links to the survey's other languages", async () => {
    await distribute({});
    const dora = mailTo('dora@zeta.example')[0]!;
    assert.equal(dora.subject, 'Ihre Meinung: Wie wahrscheinlich empfehlen Sie uns weiter?');
    assert.match(dora.text, /^Hallo Dora,\n\nwie wahrscheinlich ist es/);
    assert.equal(dora.headers.get('content-language'), 'de');
    // French is not among the survey's languages: Cy gets the default, English.
    assert.equal(mailTo('cy@zeta.example')[0]!.subject, 'Your feedback: how likely are you to recommend us?');

    const page = await (await fetch(linksOf(dora).survey)).text();
    assert.match(page, /<html lang="de">/);
    assert.match(page, /<legend>Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen\?<\/legend>/);
    assert.match(page, /<legend>Wie zufrieden sind Sie mit dem Support\?<\/legend>/);
    assert.match(page, /<span>Überhaupt nicht wahrscheinlich<\/span><span>Äußerst wahrscheinlich<\/span>/);
    assert.match(page, /<button type="submit">Senden<\/button>/);
    assert.match(page, /<nav aria-label="Sprache"><ul><li><a href="\?lang=en" hreflang="en" lang="en">English<\/a><\/li><li><a href="\?lang=de" aria-current="page" lang="de">Deutsch<\/a><\/li><\/ul><\/nav>/);

    const english = await (await fetch(`${linksOf(dora).survey}?lang=en`)).text();
    assert.match(english, /<html lang="en">/);
    assert.match(english, /<legend>How likely are you to recommend us to a friend or colleague\?<\/legend>/);

    const missing = await fetch(linksOf(dora).survey, { method: 'POST', body: new URLSearchParams({ comment: 'gut' }) });
    assert.deepEqual([missing.status, /Bitte wählen Sie einen Wert von 0 bis 10\./.test(await missing.text())], [400, true]);
    const thanks = await answer(dora, '9');
    assert.match(await thanks.text(), /<h1>Vielen Dank für Ihre Antwort\.<\/h1>/);

    const optOut = await (await fetch(linksOf(dora).optOut)).text();
    assert.match(optOut, /<html lang="de">[^]*<h1>Von Umfragen abmelden<\/h1>[^]*<button type="submit">Abmelden<\/button>/);
    const optedOut = await (await fetch(linksOf(dora).optOut, { method: 'POST' })).text();
    assert.match(optedOut, /<h1>Sie sind abgemeldet<\/h1>/);
  });
});
