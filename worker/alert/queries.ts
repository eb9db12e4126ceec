import type { Queryable } from '../../core/db.ts';
import { storableText } from '../../core/errors.ts';
import type { AlertAnswer } from './alert-mail.ts';

/** A stored answer with its contact, role and account, as the answer-stored job reads it. */
export type StoredAnswer = {
  id: number;
  directoryId: number;
  demo: boolean;
  score: number;
  comment: string | null;
  respondedAt: Date;
  /** Which version of the answer this is: its last change, or when it was given. */
  version: Date;
  surveyId: number | null;
  contact: { id: string; name: string; email: string | null; role: string | null } | null;
  account: { id: string; name: string } | null;
};

export async function readStoredAnswer(db: Queryable, responseId: number): Promise<StoredAnswer | null> {
  const [row] = await db.query<StoredAnswer>(
    `select r.id::int, r.directory_id::int as "directoryId", d.demo, r.score, r.comment, r.responded_at as "respondedAt",
       coalesce(r.updated_at, r.responded_at) as version, r.survey_id::int as "surveyId",
       case when r.contact_external_id is not null then json_build_object('id', r.contact_external_id,
         'name', concat_ws(' ', c.first_name, c.last_name), 'email', c.email, 'role', c.client_role) end as contact,
       case when r.account_external_id is not null then json_build_object('id', r.account_external_id, 'name', coalesce(a.display_name, r.account_external_id)) end as account
     from nps_responses r join directories d on d.id = r.directory_id
     left join contacts c on c.directory_id = r.directory_id and c.external_id = r.contact_external_id
     left join accounts a on a.directory_id = r.directory_id and a.external_id = r.account_external_id
     where r.id = $1`,
    [responseId],
  );
  return row ?? null;
}

export type MatchedRule = { id: number; name: string; roles: string[]; emails: string[] };

/** The directory's enabled answer rules that an answer of `score` from a contact in `clientRole` meets. */
export async function answerRulesMet(db: Queryable, directoryId: number, score: number, clientRole: string | null): Promise<MatchedRule[]> {
  return db.query<MatchedRule>(
    `select id::int, name, recipient_roles as roles, recipient_emails as emails from alert_rules
     where directory_id = $1 and enabled and kind = 'answer' and $2 <= max_score and (cardinality(client_roles) = 0 or $3 = any (client_roles))
     order by id`,
    [directoryId, score, clientRole],
  );
}

/**
 * Who a rule alerts about an account: the live holders of its management roles and its fixed
 * addresses, each address once (compared case-insensitively, as the directory compares emails).
 */
export async function recipientsOf(db: Queryable, directoryId: number, accountId: string, rule: Pick<MatchedRule, 'roles' | 'emails'>): Promise<string[]> {
  const rows = await db.query<{ email: string }>(
    `select min(email) as email from (
       select trim(m.user_email) as email from management_roles m
       where m.directory_id = $1 and m.account_external_id = $2 and m.role_name = any ($3) and not m.is_deleted
       union all select trim(e) from unnest($4::text[]) as e
     ) r where email <> '' group by lower(email) order by lower(email)`,
    [directoryId, accountId, rule.roles, rule.emails],
  );
  return rows.map((r) => r.email);
}

/** Records an alert unless it was raised before; its id when this call raised it. */
export async function insertAlert(
  db: Queryable,
  alert: { directoryId: number; ruleId: number; kind: 'detractor' | 'health'; responseId: number | null; accountId: string; day: string | null; details: object },
): Promise<number | null> {
  const [row] = await db.query<{ id: number }>(
    `insert into alerts (directory_id, rule_id, kind, response_id, account_external_id, day, details) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict do nothing returning id::int`,
    [alert.directoryId, alert.ruleId, alert.kind, alert.responseId, alert.accountId, alert.day, alert.details],
  );
  return row?.id ?? null;
}

export type AlertMessageRow = { key: string; recipient: string; subject: string; text: string; html: string; alertIds: number[] };

/** Stores the messages to send, each once by its key. */
export async function insertAlertMessages(db: Queryable, directoryId: number, messages: AlertMessageRow[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `insert into alert_messages (directory_id, key, recipient, subject, text, html, alert_ids)
     select $1, m.key, m.recipient, m.subject, m.text, m.html, array(select jsonb_array_elements_text(m.alert_ids)::bigint)
     from jsonb_to_recordset($2::jsonb) as m (key text, recipient text, subject text, text text, html text, alert_ids jsonb)
     on conflict (key) do nothing`,
    [directoryId, JSON.stringify(messages.map((m) => ({ ...m, alert_ids: m.alertIds })))],
  );
}

export type UnsentMessage = { id: number; recipient: string; subject: string; text: string; html: string };

/** The messages of these alerts not sent yet. */
export async function unsentMessages(db: Queryable, alertIds: number[]): Promise<UnsentMessage[]> {
  return db.query<UnsentMessage>(
    `select m.id::int, m.recipient, m.subject, m.text, m.html from alert_messages m
     where m.sent_at is null and m.refused is null and m.alert_ids && $1::bigint[] order by m.id`,
    [alertIds],
  );
}

export async function markMessageSent(db: Queryable, id: number): Promise<void> {
  await db.query('update alert_messages set sent_at = now() where id = $1', [id]);
}

/** Records the mail server's permanent refusal of a message: it is not tried again. */
export async function markMessageRefused(db: Queryable, id: number, reason: string): Promise<void> {
  await db.query('update alert_messages set refused = $2 where id = $1', [id, storableText(reason.slice(0, 1000))]);
}

/** Every alert raised for an answer, by any rule (a retry picks up what an earlier attempt raised). */
export async function alertsOfAnswer(db: Queryable, responseId: number): Promise<{ id: number; details: object }[]> {
  return db.query('select id::int, details from alerts where response_id = $1 order by id', [responseId]);
}

/** The account's latest answer in the directory, for a health alert's context. */
export async function latestAnswerOf(db: Queryable, directoryId: number, accountId: string, links: (contactId: string, responseId: number) => string): Promise<AlertAnswer | null> {
  const [row] = await db.query<Omit<AlertAnswer, 'url' | 'respondedAt'> & { respondedAt: Date }>(
    `select r.id::int, r.score, r.comment, r.responded_at as "respondedAt",
       json_build_object('id', r.contact_external_id, 'name', concat_ws(' ', c.first_name, c.last_name), 'email', c.email, 'role', c.client_role) as contact
     from nps_responses r
     left join contacts c on c.directory_id = r.directory_id and c.external_id = r.contact_external_id
     where r.directory_id = $1 and r.account_external_id = $2 order by r.responded_at desc, r.id desc limit 1`,
    [directoryId, accountId],
  );
  return row ? { ...row, respondedAt: row.respondedAt.toISOString(), url: links(row.contact.id, row.id) } : null;
}
