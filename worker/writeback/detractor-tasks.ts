import type { Connection } from 'jsforce';
import type { Queryable } from '../../core/db.ts';
import type { RecordFailure } from './queries.ts';

/*
 * One Salesforce Task per detractor answer, on the contact (WhoId) and the account (WhatId), for
 * the account's owner (the User whose email the ACCOUNT_OWNER role carries; without one, the
 * connection's user), created through sObject Collections, 200 a call. Each answer gets one Task:
 * the Tasks opened are remembered, and an answer whose Task was refused is tried again next run.
 */

type Answer = { id: string; contact: string; account: string; score: number; comment: string | null; respondedAt: Date; name: string | null; ownerEmail: string | null };

const contactId = /^003[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;
const accountId = /^001[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

async function answersWithoutTask(db: Queryable, connectionId: number, directoryId: number, scoreAtMost: number, withinDays: number): Promise<Answer[]> {
  return db.query<Answer>(
    `select r.id::text, r.contact_external_id as contact, r.account_external_id as account, r.score, r.comment, r.responded_at as "respondedAt",
      nullif(concat_ws(' ', c.first_name, c.last_name), '') as name,
      (select m.user_email from management_roles m where m.directory_id = r.directory_id and m.account_external_id = r.account_external_id
        and m.role_name = 'ACCOUNT_OWNER' and not m.is_deleted order by m.user_email limit 1) as "ownerEmail"
    from nps_responses r
    left join contacts c on c.directory_id = r.directory_id and c.external_id = r.contact_external_id
    where r.directory_id = $1 and r.score <= $2 and r.responded_at >= now() - make_interval(days => $3) and r.contact_external_id is not null
      and not exists (select 1 from salesforce_detractor_tasks t where t.connection_id = $4 and t.response_id = r.id)
    order by r.responded_at, r.id`,
    [directoryId, scoreAtMost, withinDays, connectionId],
  );
}

/** The org's User Ids by lowercased email, a query per 100 emails. */
async function userIds(conn: Connection, emails: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < emails.length; i += 100) {
    const list = emails.slice(i, i + 100).map((e) => `'${e.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
    const result = await conn.query<{ Id: string; Email: string }>(`SELECT Id, Email FROM User WHERE Email IN (${list})`);
    for (const user of result.records) ids.set(user.Email.toLowerCase(), user.Id);
  }
  return ids;
}

type SaveResult = { id?: string; success: boolean; errors: { statusCode?: string; message: string; fields?: string[] }[] };

/** Opens the Tasks of the answers that have none; answers what was created and what Salesforce refused. */
export async function openDetractorTasks(
  db: Queryable,
  conn: Connection,
  at: { connectionId: number; directoryId: number },
  options: { scoreAtMost: number; withinDays: number },
): Promise<{ created: number; failures: RecordFailure[] }> {
  const answers = (await answersWithoutTask(db, at.connectionId, at.directoryId, options.scoreAtMost, options.withinDays)).filter((a) => contactId.test(a.contact) && accountId.test(a.account));
  if (answers.length === 0) return { created: 0, failures: [] };
  const owners = await userIds(conn, [...new Set(answers.flatMap((a) => (a.ownerEmail ? [a.ownerEmail.toLowerCase()] : [])))]);
  const failures: RecordFailure[] = [];
  let created = 0;
  for (let start = 0; start < answers.length; start += 200) {
    const chunk = answers.slice(start, start + 200);
    const tasks = chunk.map((a) => {
      const owner = a.ownerEmail ? owners.get(a.ownerEmail.toLowerCase()) : undefined;
      return {
        Subject: `Detractor: ${a.name ?? 'a contact'} answered ${a.score}`,
        Description: `${a.name ?? 'The contact'} answered ${a.score} of 10 on ${a.respondedAt.toISOString().slice(0, 10)}.${a.comment ? `\n\n${a.comment}` : ''}`,
        Status: 'Not Started',
        Priority: 'High',
        ActivityDate: new Date().toISOString().slice(0, 10),
        WhoId: a.contact,
        WhatId: a.account,
        ...(owner ? { OwnerId: owner } : {}),
      };
    });
    const results = (await conn.sobject('Task').create(tasks, { allOrNone: false })) as unknown as SaveResult[];
    const opened: { response: string; task: string }[] = [];
    results.forEach((result, i) => {
      const answer = chunk[i]!;
      if (result.success && result.id) opened.push({ response: answer.id, task: result.id });
      else failures.push({ id: answer.contact, code: result.errors[0]?.statusCode ?? 'UNKNOWN_EXCEPTION', message: result.errors.map((e) => e.message).join('; '), field: result.errors[0]?.fields?.[0] ?? null });
    });
    await db.query(
      `insert into salesforce_detractor_tasks (connection_id, response_id, task_id) select $1, r, t from unnest($2::bigint[], $3::text[]) as n (r, t) on conflict do nothing`,
      [at.connectionId, opened.map((o) => o.response), opened.map((o) => o.task)],
    );
    created += opened.length;
  }
  return { created, failures };
}
