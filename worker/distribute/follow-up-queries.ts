import type { Queryable } from '../../core/db.ts';
import type { Addressee } from './messages.ts';

/*
 * The statements of reminders and thank-you emails. A row of recipient_follow_ups is made when
 * its message is claimed, before the SMTP transaction, so each goes out at most once (sql/071).
 */

export type FollowUpKind = 'reminder_1' | 'reminder_2' | 'thank_you';

/** A distribution's follow-up settings, and when its first invitation went out (null: none did). */
export type FollowUpPlan = {
  id: number;
  surveyId: number;
  directoryId: number;
  from: string;
  reminderDays: number[];
  languageAttribute: string | null;
  firstSentAt: Date | null;
};

export async function findFollowUpPlan(db: Queryable, distributionId: number): Promise<FollowUpPlan | null> {
  const [row] = await db.query<FollowUpPlan>(
    `select d.id::int, d.survey_id::int as "surveyId", d.directory_id::int as "directoryId", d.mail_from as "from", d.reminder_days as "reminderDays",
            s.language_attribute as "languageAttribute",
            (select min(sent_at) from distribution_recipients r where r.distribution_id = d.id and r.state = 'sent') as "firstSentAt"
     from distributions d join surveys s on s.id = d.survey_id where d.id = $1 and d.link_type = 'individual'`,
    [distributionId],
  );
  return row ?? null;
}

export type ClaimedFollowUp = Addressee & { recipientId: number; messageId: string };

/** Who still waits for a reminder: sent an invitation long enough ago, link still open, no answer, no opt-out, still in the directory. */
const remindable = `
  from distribution_recipients r
  join distributions d on d.id = r.distribution_id
  join surveys s on s.id = d.survey_id
  join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id and not c.is_deleted
  where r.distribution_id = $1 and r.state = 'sent'
    and r.sent_at + make_interval(days => coalesce(d.link_expiry_days, s.link_expiry_days)) > $3
    and not exists (select 1 from nps_responses n where n.recipient_id = r.id)
    and not exists (select 1 from opt_outs o where o.directory_id = d.directory_id
      and (o.contact_external_id = r.contact_external_id or lower(o.email) = lower(r.email)))
    and not exists (select 1 from recipient_follow_ups f where f.recipient_id = r.id and f.kind = $2)`;

const addressee = `r.email, r.token, c.first_name as "firstName", c.last_name as "lastName", a.display_name as "accountName", c.attributes ->> s.language_attribute as language`;

/**
 * Claims up to `limit` recipients due for reminder `kind` at `now` (`afterDays` after their
 * invitation), recording each claim with its Message-ID in the same statement.
 */
export async function claimReminders(
  db: Queryable,
  request: { distributionId: number; kind: FollowUpKind; afterDays: number; now: Date; limit: number; messageIdDomain: string },
): Promise<ClaimedFollowUp[]> {
  return db.query<ClaimedFollowUp>(
    `with due as (
      select r.id ${remindable} and r.sent_at <= $3::timestamptz - make_interval(days => $4) order by r.id limit $5
    ), claimed as (
      insert into recipient_follow_ups (recipient_id, kind, message_id, claimed_at)
      select id, $2, '<bw.' || $1 || '.' || id || '.' || replace($2, '_', '') || '@' || $6 || '>', $3 from due
      on conflict do nothing
      returning recipient_id, message_id
    )
    select k.recipient_id::int as "recipientId", k.message_id as "messageId", ${addressee}
    from claimed k join distribution_recipients r on r.id = k.recipient_id join distributions d on d.id = r.distribution_id
    join surveys s on s.id = d.survey_id
    join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id
    left join accounts a on a.directory_id = d.directory_id and a.external_id = r.account_external_id
    order by k.recipient_id`,
    [request.distributionId, request.kind, request.now, request.afterDays, request.limit, request.messageIdDomain],
  );
}

/** When the next recipient not yet due becomes due for reminder `kind`, or null when nobody waits. */
export async function nextReminderDue(db: Queryable, request: { distributionId: number; kind: FollowUpKind; afterDays: number; now: Date }): Promise<Date | null> {
  const [row] = await db.query<{ at: Date | null }>(
    `select min(r.sent_at) + make_interval(days => $4) as at ${remindable} and r.sent_at > $3::timestamptz - make_interval(days => $4)`,
    [request.distributionId, request.kind, request.now, request.afterDays],
  );
  return row?.at ?? null;
}

/**
 * Claims the thank-you of an answered recipient whose distribution sends one; nothing for a
 * recipient thanked before, not answered, opted out or gone from the directory.
 */
export async function claimThankYou(db: Queryable, recipientId: number, messageIdDomain: string): Promise<(ClaimedFollowUp & { distributionId: number; surveyId: number; from: string }) | null> {
  const [row] = await db.query<ClaimedFollowUp & { distributionId: number; surveyId: number; from: string }>(
    `with claimed as (
      insert into recipient_follow_ups (recipient_id, kind, message_id)
      select r.id, 'thank_you', '<bw.' || r.distribution_id || '.' || r.id || '.thankyou@' || $2 || '>'
      from distribution_recipients r join distributions d on d.id = r.distribution_id
      join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id and not c.is_deleted
      where r.id = $1 and d.thank_you_email and r.email is not null
        and exists (select 1 from nps_responses n where n.recipient_id = r.id)
        and not exists (select 1 from opt_outs o where o.directory_id = d.directory_id
          and (o.contact_external_id = r.contact_external_id or lower(o.email) = lower(r.email)))
      on conflict do nothing
      returning recipient_id, message_id
    )
    select k.recipient_id::int as "recipientId", k.message_id as "messageId", d.id::int as "distributionId", d.survey_id::int as "surveyId",
           d.mail_from as "from", ${addressee}
    from claimed k join distribution_recipients r on r.id = k.recipient_id join distributions d on d.id = r.distribution_id
    join surveys s on s.id = d.survey_id
    join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id
    left join accounts a on a.directory_id = d.directory_id and a.external_id = r.account_external_id`,
    [recipientId, messageIdDomain],
  );
  return row ?? null;
}

/** How a follow-up's send ended: sent, refused for good, or refused for now (its claim is dropped, so a retry sends it). */
export type FollowUpOutcome = { recipientId: number; kind: FollowUpKind; state: 'sent' | 'failed' | 'retry'; error: string | null };

export async function settleFollowUps(db: Queryable, outcomes: FollowUpOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `with o as (select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) o(recipient_id, kind, state, error)),
    dropped as (
      delete from recipient_follow_ups f using o where f.recipient_id = o.recipient_id and f.kind = o.kind and o.state = 'retry' and f.state = 'sending'
    )
    update recipient_follow_ups f set state = o.state, error = o.error, sent_at = case when o.state = 'sent' then now() end
    from o where f.recipient_id = o.recipient_id and f.kind = o.kind and o.state <> 'retry' and f.state = 'sending'`,
    [outcomes.map((o) => o.recipientId), outcomes.map((o) => o.kind), outcomes.map((o) => o.state), outcomes.map((o) => o.error)],
  );
}

/** Claims of `kind` still 'sending' an hour after they were made belong to a sender that stopped midway: in doubt, never sent again. */
export async function markStaleFollowUps(db: Queryable, distributionId: number, kind: FollowUpKind, now: Date): Promise<number> {
  const rows = await db.query(
    `update recipient_follow_ups f set state = 'in_doubt', error = 'the sending stopped during the SMTP exchange; not sent again, so it is never sent twice'
     from distribution_recipients r where r.id = f.recipient_id and r.distribution_id = $1 and f.kind = $2 and f.state = 'sending'
       and f.claimed_at < $3::timestamptz - interval '1 hour'
     returning 1`,
    [distributionId, kind, now],
  );
  return rows.length;
}
