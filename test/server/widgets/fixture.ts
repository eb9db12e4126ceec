import type { Db } from '../../../core/db.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { openLocalFiles } from '../../../worker/extract/local-files.ts';
import { accountHeader, contactHeader, teamHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import type { Served } from '../serve.ts';
import { adminKey, serve } from '../serve.ts';
import { createWorkflow } from '../../../core/workflows/queries.ts';
import { connectStandIn, testBox } from '../../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../../helpers/salesforce/stand-in.ts';

/**
 * Five accounts loaded by the real loader: Alpha GmbH with its subsidiary Gamma Ltd, Beta AG,
 * Delta Inc (no contract) and Epsilon SA. Contracts: Alpha 120000.00 over 24 months, Beta 100000
 * over 36, Gamma 50000.00 over 12. Alice owns Alpha and is Beta's customer success manager; Bob
 * owns Gamma; Alpha's CEO is Ada Lovelace.
 */
export async function loadWidgetDirectory(db: Db): Promise<void> {
  const dir = await tempDir();
  const files = {
    accounts: await writeCsv(dir, 'accounts.csv', [
      [...accountHeader, 'Contract_Amount__c', 'Term_Months__c', 'CurrencyIsoCode', 'Industry', 'Seats__c'],
      ['A1', 'false', 'Alpha GmbH', '', '120000.00', '24', 'EUR', 'Manufacturing', '250'],
      ['A2', 'false', 'Beta AG', '', '100000', '36', 'CHF', 'Retail', '40'],
      ['A3', 'false', 'Gamma Ltd', 'A1', '50000.00', '12', 'EUR', 'Manufacturing', '1200'],
      ['A4', 'false', 'Delta Inc', '', '', '', 'USD', '', ''],
      ['A5', 'false', 'Epsilon SA', '', '', '', '', 'Retail', '7'],
    ]),
    contacts: await writeCsv(dir, 'contacts.csv', [
      contactHeader,
      ['C1', 'false', 'CEO', 'A1', 'ada@alpha.example', 'Ada', 'Lovelace'],
      ['C2', 'false', '', 'A2', 'ben@beta.example', 'Ben', 'Bauer'],
    ]),
    teamMembers: await writeCsv(dir, 'team.csv', [
      teamHeader,
      ['A1', 'alice@seller.example', 'Account Owner', 'false'],
      ['A2', 'alice@seller.example', 'Customer Success Manager', 'false'],
      ['A3', 'bob@seller.example', 'Account Owner', 'false'],
    ]),
  };
  const result = await loadDirectory(db, {
    directoryId: 1,
    sourceLabel: 'files',
    openSources: () => openLocalFiles(files),
    mapping: {
      accounts: {
        attributes: {
          contractAmount: { source: 'Contract_Amount__c', type: 'Decimal' },
          termMonths: { source: 'Term_Months__c', type: 'Integer' },
          currency: { source: 'CurrencyIsoCode', type: 'String' },
          industry: { source: 'Industry', type: 'Enum', values: ['Manufacturing', 'Retail'] },
          seats: { source: 'Seats__c', type: 'Integer' },
        },
      },
      clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', '': 'ACCOUNT_MEMBER' } },
    },
  });
  if (result.state !== 'succeeded') throw new Error(`the widget fixture did not load: ${JSON.stringify(result.error)}`);
}

/** Answers as [account, ISO time, score]; each gets its own contact id so none repeats another. */
export async function addResponses(db: Db, responses: [string, string, number][]): Promise<void> {
  await db.query(
    `insert into nps_responses (directory_id, contact_external_id, account_external_id, responded_at, score)
     select 1, 'R' || n, account, at, score from unnest($1::text[], $2::timestamptz[], $3::smallint[]) with ordinality as r (account, at, score, n)`,
    [responses.map((r) => r[0]), responses.map((r) => r[1]), responses.map((r) => r[2])],
  );
}

/** `count` answers of one score on one day, a minute apart. */
export function answers(account: string, day: string, scores: number[]): [string, string, number][] {
  return scores.map((score, i) => [account, `${day}T12:${String(i).padStart(2, '0')}:00Z`, score]);
}

/** Saves a widget configuration with the admin key; its id. */
export async function saveConfig(api: Served, config: Record<string, unknown>): Promise<number> {
  const reply = await api.request('/api/widget-configs', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Strategic accounts', ...config }),
  });
  if (reply.status !== 201) throw new Error(`saving the configuration answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return (reply.body as { id: number }).id;
}

/** The widget directory with three answers on Alpha in February 2026, served, and a monthly configuration of it. */
export async function servedWidget(db: Db): Promise<{ api: Served; configId: number }> {
  await loadWidgetDirectory(db);
  await addResponses(db, answers('A1', '2026-02-10', [10, 10, 9]));
  const api = await serve(db);
  return { api, configId: await saveConfig(api, { period: 'MoM' }) };
}

/** Creates a survey with a 1-5 CSAT question (key "csat") through the API; its id. */
export async function createSurvey(api: Served, name: string): Promise<number> {
  const reply = await api.request('/api/surveys', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, extraQuestions: [{ key: 'csat', text: 'How satisfied are you with our support?', min: 1, max: 5 }] }),
  });
  if (reply.status !== 201) throw new Error(`creating the survey answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return (reply.body as { id: number }).id;
}

/** A survey answer as [account, contact, ISO time, NPS score, CSAT or null]. */
export type SurveyAnswer = [string, string, string, number, number | null];

/** Answers to survey `surveyId`, as its page stores them: the score, and the CSAT under "csat" when given. */
export async function addSurveyAnswers(db: Db, surveyId: number, rows: SurveyAnswer[]): Promise<void> {
  await db.query(
    `insert into nps_responses (directory_id, survey_id, account_external_id, contact_external_id, responded_at, score, answers)
     select 1, $1, account, contact, at, score, case when csat is null then '{}' else jsonb_build_object('csat', csat) end
     from unnest($2::text[], $3::text[], $4::timestamptz[], $5::smallint[], $6::int[]) as r (account, contact, at, score, csat)`,
    [surveyId, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3]), rows.map((r) => r[4])],
  );
}

/**
 * A workflow that loads a stand-in org's accounts into directory 1 and writes their NPS back by
 * widget configuration `configId`, saved as the API saves one (checked against the org's describe).
 * Close the stand-in after the test.
 */
export async function writeBackWorkflow(db: Db, configId: number, name: string): Promise<{ workflowId: number; standIn: SalesforceStandIn }> {
  const standIn = await startStandIn();
  standIn.org.addField('Account', 'NPS__c', 'double');
  const connectionId = await connectStandIn(db, standIn);
  const workflow = await createWorkflow(db, {
    name,
    definition: {
      tasks: [
        { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId },
        { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
        { type: 'writeBack', name: 'NPS to Salesforce', load: 'Load', connectionId, widgetConfigId: configId, fields: { nps: 'NPS__c' } },
      ],
    },
  }, '/tmp', async () => testBox);
  return { workflowId: workflow.id, standIn };
}
