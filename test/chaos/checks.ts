import { isDeepStrictEqual } from 'node:util';
import type { Db, Queryable } from '../../core/db.ts';
import { runSync } from '../../worker/jobs/run-sync.ts';
import { directorySnapshot } from '../helpers/files.ts';
import type { SmtpSink } from '../helpers/smtp-sink.ts';
import type { AnswerBook } from './traffic.ts';

/*
 * What must hold once the storm has settled. Each check answers the problems it found, in words,
 * and the figures it counted; none stops at the first problem, so one failed run shows them all.
 */

export type InputFiles = { accounts: string; contacts: string };

/**
 * The directory's live records equal those of a clean load of the input of the run committed last
 * (a full export deletes what it does not hold: those records stay, flagged deleted, so only the
 * live ones are compared). Each succeeded run made its one mailing list; no failed run left one.
 */
export async function checkDirectory(db: Db, control: Db, inputs: ReadonlyMap<number, InputFiles & { mailingListName?: string }>): Promise<{ problems: string[]; lastRun: number | null }> {
  const problems: string[] = [];
  const [last] = await db.query<{ id: number; workflowId: number }>(
    `select id::int, workflow_id::int as "workflowId" from sync_runs where state = 'succeeded' order by finished_at desc limit 1`,
  );
  if (!last) return { problems: ['no run succeeded'], lastRun: null };
  const input = inputs.get(last.workflowId)!;
  const clean = await runSync({ db: control, secretBox: () => Promise.reject(new Error('no credentials in the chaos scenario')) }, {
    directoryId: 1,
    files: { accounts: input.accounts, contacts: input.contacts },
  });
  if (clean.state !== 'succeeded') problems.push(`the clean load of run ${last.id}'s input failed: ${JSON.stringify(clean.error)}`);
  const [expected, actual] = [await liveSnapshot(control), await liveSnapshot(db)];
  for (const table of Object.keys(expected) as (keyof typeof expected)[]) {
    if (!isDeepStrictEqual(actual[table], expected[table])) {
      problems.push(`the directory's ${table} differ from a clean load of run ${last.id}'s input: ${actual[table].length} live rows, ${expected[table].length} expected`);
    }
  }
  const lists = await db.query<{ id: number; state: string; workflowId: number; lists: number }>(
    `select r.id::int, r.state, r.workflow_id::int as "workflowId", count(l.id)::int as lists
     from sync_runs r left join mailing_lists l on l.run_id = r.id group by r.id order by r.id`,
  );
  for (const run of lists) {
    const expectedLists = run.state === 'succeeded' && inputs.get(run.workflowId)?.mailingListName ? 1 : 0;
    if (run.lists !== expectedLists) problems.push(`${run.state} run ${run.id} has ${run.lists} mailing lists, not ${expectedLists}`);
  }
  return { problems, lastRun: last.id };
}

async function liveSnapshot(db: Queryable) {
  const { mailingLists: _, attributeDefinitions, ...tables } = await directorySnapshot(db);
  const live = Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, rows.filter((r) => r.is_deleted === false)])) as Record<keyof typeof tables, Record<string, unknown>[]>;
  return { ...live, attributeDefinitions };
}

/** Every answer the product acknowledged is stored exactly once, with one of the scores sent for its invitation. */
export async function checkAnswers(db: Queryable, answers: AnswerBook): Promise<{ problems: string[]; stored: number }> {
  const acknowledged = [...answers.byToken].filter(([, a]) => a.acknowledged);
  const rows = await db.query<{ token: string; stored: number; scores: number[] }>(
    `select t.token, count(r.id)::int as stored, coalesce(array_agg(r.score::int) filter (where r.id is not null), '{}') as scores
     from unnest($1::text[]) t(token)
     left join distribution_recipients d on d.token = t.token
     left join nps_responses r on r.recipient_id = d.id
     group by t.token`,
    [acknowledged.map(([token]) => token)],
  );
  const problems: string[] = [];
  for (const row of rows) {
    const sent = answers.byToken.get(row.token)!.scores;
    if (row.stored !== 1) problems.push(`the acknowledged answer to invitation ${row.token} is stored ${row.stored} times`);
    else if (!sent.includes(row.scores[0]!)) problems.push(`invitation ${row.token} stored the score ${row.scores[0]}, never sent (sent: ${sent.join(', ')})`);
  }
  const [total] = await db.query<{ n: number }>('select count(*)::int as n from nps_responses');
  return { problems, stored: total!.n };
}

/**
 * No contact got two invitations to one run's mailing list (so neither a resumed distribution nor a
 * retried run sent one again), and every invitation marked sent reached the mail server.
 */
export async function checkInvitations(db: Queryable, sink: SmtpSink): Promise<{ problems: string[]; received: number; sent: number; inDoubt: number }> {
  const recipients = await db.query<{ messageId: string; state: string; list: number; email: string }>(
    `select r.message_id as "messageId", r.state, d.mailing_list_id::int as list, r.email
     from distribution_recipients r join distributions d on d.id = r.distribution_id where r.message_id is not null`,
  );
  const byMessageId = new Map(recipients.map((r) => [r.messageId, r]));
  const problems: string[] = [];
  const perListAndAddress = new Map<string, number>();
  for (const mail of sink.received) {
    const recipient = byMessageId.get(mail.messageId);
    if (!recipient) {
      problems.push(`the mail server received ${mail.messageId} for ${mail.to}, which no recipient records`);
      continue;
    }
    const key = `${recipient.list} ${mail.to}`;
    perListAndAddress.set(key, (perListAndAddress.get(key) ?? 0) + 1);
  }
  for (const [key, n] of perListAndAddress) {
    if (n > 1) problems.push(`${key.split(' ')[1]} received ${n} invitations to mailing list ${key.split(' ')[0]}`);
  }
  const received = new Set(sink.received.map((m) => m.messageId));
  const sent = recipients.filter((r) => r.state === 'sent');
  for (const r of sent) if (!received.has(r.messageId)) problems.push(`the invitation ${r.messageId} to ${r.email} is marked sent but never reached the mail server`);
  return { problems, received: sink.received.length, sent: sent.length, inDoubt: recipients.filter((r) => r.state === 'in_doubt').length };
}

/** No run is left running; the runs per outcome (and error code). */
export async function checkRuns(db: Queryable): Promise<{ problems: string[]; outcomes: Record<string, number> }> {
  const rows = await db.query<{ outcome: string; n: number }>(
    `select state || coalesce(' ' || error_code, '') as outcome, count(*)::int as n from sync_runs group by 1 order by 1`,
  );
  const outcomes = Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
  return { problems: outcomes.running ? [`${outcomes.running} runs are left running`] : [], outcomes };
}
