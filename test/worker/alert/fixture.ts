import assert from 'node:assert/strict';
import type { TestClock } from 'pg-boss';
import { answerJobs } from '../../../core/alerts/answer-jobs.ts';
import { loadConfig } from '../../../core/config.ts';
import type { Db } from '../../../core/db.ts';
import { createLogger } from '../../../core/log.ts';
import { createSurvey } from '../../../core/surveys/queries.ts';
import { defaultTemplates } from '../../../core/surveys/template.ts';
import { insertDistribution } from '../../../core/surveys/create-distribution.ts';
import { openLocalFiles } from '../../../worker/extract/local-files.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { startWorker, type Worker } from '../../../worker/worker.ts';
import { accountHeader, contactHeader, teamHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import type { SmtpSink } from '../../helpers/smtp-sink.ts';
import { adminKey, serve, testApp, type Reply, type Served } from '../../server/serve.ts';

export const secretKey = 'a-test-secret-key-of-32-characters!';

/**
 * Three accounts loaded by the real loader. Acme & Sons: Ada Lovelace (CEO, a decision maker) and
 * Bob Builder (no title, an end user); Olivia owns it, Carl is its customer success manager, Sam its
 * sales engineer. Zeta Corp: Cy Young (CEO), owned by Olivia. Gamma Ltd: owned by Gus.
 */
export async function loadAlertDirectory(db: Db): Promise<void> {
  const dir = await tempDir();
  const files = {
    accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ['A1', 'false', 'Acme & Sons', ''], ['A2', 'false', 'Zeta Corp', ''], ['A3', 'false', 'Gamma Ltd', '']]),
    contacts: await writeCsv(dir, 'contacts.csv', [
      contactHeader,
      ['C1', 'false', 'CEO', 'A1', 'ada@acme.example', 'Ada', 'Lovelace'],
      ['C2', 'false', '', 'A1', 'bob@acme.example', 'Bob', 'Builder'],
      ['C3', 'false', 'CEO', 'A2', 'cy@zeta.example', 'Cy', 'Young'],
    ]),
    teamMembers: await writeCsv(dir, 'team.csv', [
      teamHeader,
      ['A1', 'olivia@seller.example', 'Account Owner', 'false'],
      ['A1', 'carl@seller.example', 'Customer Success Manager', 'false'],
      ['A1', 'sam@seller.example', 'Sales Engineer', 'false'],
      ['A2', 'olivia@seller.example', 'Account Owner', 'false'],
      ['A3', 'gus@seller.example', 'Account Owner', 'false'],
    ]),
  };
  const result = await loadDirectory(db, {
    directoryId: 1,
    sourceLabel: 'files',
    openSources: () => openLocalFiles(files),
    mapping: { clientRoles: { values: { CEO: 'DECISION_MAKER', '': 'END_USER' } } },
  });
  assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
}

/** Individual survey links for the contacts named, by contact id. */
export async function surveyLinks(db: Db, api: Served, contacts: string[]): Promise<Record<string, string>> {
  const survey = await createSurvey(db, { name: 'NPS' });
  const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name) values (1, 'Customers') returning id::int`);
  await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) select $1, 1, unnest($2::text[])`, [list!.id, contacts]);
  await insertDistribution(db, { audience: 'all', surveyId: survey.id, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType: 'individual', from: 'nps@seller.example', ...defaultTemplates, sendAt: new Date() });
  const rows = await db.query<{ contact: string; token: string }>('select contact_external_id as contact, token from distribution_recipients');
  return Object.fromEntries(rows.map((r) => [r.contact, `${api.base}/s/${r.token}`]));
}

/** Answers a survey as its recipient would, through the form. */
export async function answer(link: string, score: number, comment = ''): Promise<void> {
  const reply = await fetch(link, { method: 'POST', body: new URLSearchParams({ score: String(score), comment }) });
  assert.equal(reply.status, 200, await reply.text());
}

/** The worker (mail to the sink, links under the app's address) and the app handing answers to it. */
export async function startAlerting(db: Db, url: string, sink: SmtpSink, options: { clock?: TestClock; quickRetries?: boolean } = {}): Promise<{ worker: Worker; api: Served }> {
  // The app's address is in the links the worker writes, so it listens first, on a port the worker is told.
  let worker: Worker | undefined;
  const jobs = { stored: (responseId: number) => answerJobs(worker!.boss).stored(responseId) };
  const api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { answerJobs: jobs }));
  const config = loadConfig({ DATABASE_URL: url, SMTP_URL: sink.url, PUBLIC_URL: api.base, MAIL_FROM: 'Bellwether <alerts@seller.example>', SECRET_KEY: secretKey });
  worker = await startWorker({
    databaseUrl: url, db, logger: createLogger('silent', 'test'), config,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.quickRetries ? { timing: { heartbeatSeconds: 10, superviseSeconds: 1, retryDelaySeconds: 1 } } : {}),
  });
  return { worker, api };
}

/** Calls the API with the admin key and a JSON body. */
export async function call(api: Served, method: string, path: string, body?: unknown): Promise<Reply> {
  return api.request(path, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
