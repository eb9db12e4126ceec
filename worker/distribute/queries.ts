import type { DistributionState } from '../../core/states.ts';
import type { Queryable } from '../../core/db.ts';
import { defaultContactRules } from '../../core/surveys/contact-rules.ts';
import type { Addressee } from './messages.ts';

/*
 * The statements of survey distribution. A recipient row is the whole truth of what was sent to
 * whom: see sql/010_surveys.sql for its states.
 */

export type DistributionToSend = {
  id: number;
  directoryId: number;
  surveyId: number;
  /** The invitation follows each recipient's language (the distribution set no texts of its own). */
  localized: boolean;
  /** The contact attribute holding each recipient's language, or null. */
  languageAttribute: string | null;
  surveyTitle: string;
  linkType: 'individual' | 'anonymous';
  anonymousToken: string | null;
  from: string;
  subject: string;
  html: string;
  text: string;
  state: DistributionState;
};

export async function findDistributionToSend(db: Queryable, id: number): Promise<DistributionToSend | null> {
  const [row] = await db.query<DistributionToSend>(
    `select d.id::int, d.directory_id::int as "directoryId", d.survey_id::int as "surveyId", d.localized, s.language_attribute as "languageAttribute", s.title as "surveyTitle", d.link_type as "linkType", d.anonymous_token as "anonymousToken",
            d.mail_from as "from", d.subject, d.html, d.text, d.state
     from distributions d join surveys s on s.id = d.survey_id where d.id = $1`,
    [id],
  );
  return row ?? null;
}

/**
 * Starts (or resumes) sending. Recipients still 'sending' were claimed by an attempt that stopped
 * in the middle of its SMTP exchange, so whether the server took their message is unknown: they
 * become 'in_doubt' and are not sent again. Recipients who opted out or left the directory since the
 * distribution was created are skipped now.
 */
export async function beginSending(db: Queryable, id: number): Promise<{ inDoubt: number }> {
  const [row] = await db.query<{ inDoubt: number }>(
    `with started as (
      update distributions set state = 'sending' where id = $1 and state = 'scheduled' returning id
    ), in_doubt as (
      update distribution_recipients set state = 'in_doubt',
        error = 'the sending stopped during the SMTP exchange; not sent again, so it is never sent twice'
      where distribution_id = $1 and state = 'sending' returning 1
    ), gone as (
      select r.id, case when c.external_id is null or c.is_deleted then 'deleted'
        when exists (select 1 from opt_outs o where o.directory_id = d.directory_id
          and (o.contact_external_id = r.contact_external_id or lower(o.email) = lower(r.email))) then 'opted_out' end as reason
      from distribution_recipients r join distributions d on d.id = r.distribution_id
      left join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id
      where r.distribution_id = $1 and r.state = 'pending'
    ), skipped as (
      update distribution_recipients r set state = 'skipped', skip_reason = gone.reason
      from gone where r.id = gone.id and gone.reason is not null returning 1
    ) select (select count(*)::int from in_doubt) as "inDoubt"`,
    [id],
  );
  return row!;
}

export type DueRecipient = Addressee & { id: number };

/** The next recipients due to be sent, with what their message says about them; nothing is claimed yet. */
export async function dueRecipients(db: Queryable, distribution: { id: number; directoryId: number; languageAttribute: string | null }, limit: number): Promise<DueRecipient[]> {
  return db.query<DueRecipient>(
    `select r.id::int, r.email, r.token, c.first_name as "firstName", c.last_name as "lastName", a.display_name as "accountName",
            c.attributes ->> $4 as language
     from distribution_recipients r
     left join contacts c on c.directory_id = $2 and c.external_id = r.contact_external_id
     left join accounts a on a.directory_id = $2 and a.external_id = r.account_external_id
     where r.distribution_id = $1 and r.state = 'pending' and (r.retry_at is null or r.retry_at <= now())
     order by r.id limit $3`,
    [distribution.id, distribution.directoryId, limit, distribution.languageAttribute],
  );
}

/** How a send ended, to record on its recipient: sent, failed for good, or due again after `retryInMs`. */
export type Settlement = { id: number; state: 'sent' | 'failed' | 'pending'; error: string | null; retryInMs: number | null };

export type Claim = { id: number; messageId: string; attempts: number };

/**
 * In one statement: records how finished sends ended, puts claimed recipients that were not sent
 * back to pending, and claims the next recipients by marking them 'sending' with their Message-ID,
 * before any of them is handed to the SMTP server. A recipient is claimed only when its
 * directory's contact rules allow it, and skipped with the rule that left it out otherwise: the
 * same survey to the same address within 12 hours (a second member of one list with that address
 * too), or more invitations in the period than the rule allows (a directory without a rule: one
 * per 30 days). Returns the claims made: a recipient no longer pending is left out.
 *
 * Safe against another sender claiming the same addresses at the same moment: the statement locks
 * every live recipient row of each address in the directory (pending ones of other distributions
 * too), address by address in order. A row another sender is claiming is waited for, then read as that sender
 * committed it (read committed re-reads a locked row:
 * https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED), so the rules
 * count that claim. Two senders that each hold a row the other waits for (one's outcomes, the
 * other's lock) are a deadlock PostgreSQL ends in one of them; that one claims again.
 */
export async function settleAndClaim(
  db: Queryable,
  change: { settle: Settlement[]; release: number[]; claim: number[] },
  messageIdDomain: string,
): Promise<Claim[]> {
  const { settle, release, claim } = change;
  const values = [
    settle.map((s) => s.id), settle.map((s) => s.state), settle.map((s) => s.error), settle.map((s) => (s.retryInMs === null ? null : s.retryInMs / 1000)),
    release, claim, messageIdDomain,
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.query<Claim>(settleAndClaimSql, values);
    } catch (error) {
      if ((error as { code?: string }).code !== deadlockDetected || attempt >= 5) throw error;
    }
  }
}

/** https://www.postgresql.org/docs/current/errcodes-appendix.html */
const deadlockDetected = '40P01';

/** The invitations an address had in the directory since `since`: the rows `history` locked, and this sender's own sends just recorded. */
const invitations = (since: string, sameSurvey: string) => `(select count(*) from known h
  where h.address = c.address and h.state in ('sending', 'sent', 'in_doubt') and h.claimed_at > ${since} and ${sameSurvey})`;

const settleAndClaimSql = `with settled as (
    update distribution_recipients r set state = s.state, error = s.error,
      sent_at = case when s.state = 'sent' then now() end,
      retry_at = case when s.retry_secs is null then null else now() + make_interval(secs => s.retry_secs) end
    from unnest($1::bigint[], $2::text[], $3::text[], $4::float8[]) s(id, state, error, retry_secs)
    where r.id = s.id and r.state = 'sending'
  ), released as (
    update distribution_recipients set state = 'pending', attempts = attempts - 1 where id = any($5::bigint[]) and state = 'sending'
  ), candidates as (
    select r.id, d.directory_id, d.survey_id, lower(r.email) as address,
      row_number() over (partition by lower(r.email) order by r.id) as nth,
      coalesce(cr.max_invitations, ${defaultContactRules.maxInvitations}) as max_invitations, coalesce(cr.period_days, ${defaultContactRules.periodDays}) as period_days,
      coalesce(cr.per_survey, ${defaultContactRules.perSurvey}) as per_survey
    from distribution_recipients r join distributions d on d.id = r.distribution_id
    left join contact_rules cr on cr.directory_id = d.directory_id
    where r.id = any($6::bigint[]) and r.state = 'pending'
  ), history as materialized (
    -- Address by address, each looked up in its index: "offset 0" keeps the planner from joining
    -- all recipient rows to the few distributions instead.
    select p.address, p.state, p.claimed_at, pd.survey_id
    from (select distinct address, directory_id from candidates order by address) a
    cross join lateral (
      select lower(p.email) as address, p.state, p.claimed_at, p.distribution_id from distribution_recipients p
      where lower(p.email) = a.address and p.state in ('pending', 'sending', 'sent', 'in_doubt') and p.id <> all($1::bigint[]) and p.id <> all($5::bigint[])
      offset 0
    ) p
    join distributions pd on pd.id = p.distribution_id and pd.directory_id = a.directory_id
    for no key update of p
  ), known as (
    select * from history
    union all
    select lower(r.email), s.state, r.claimed_at, d.survey_id
    from unnest($1::bigint[], $2::text[]) s(id, state) join distribution_recipients r on r.id = s.id join distributions d on d.id = r.distribution_id
  ), verdicts as (
    select c.id, case
      when c.nth > 1 or ${invitations(`now() - interval '12 hours'`, 'h.survey_id = c.survey_id')} > 0 then 'same_survey_12h'
      when ${invitations('now() - make_interval(days => c.period_days)', '(not c.per_survey or h.survey_id = c.survey_id)')} >= c.max_invitations then 'contact_frequency'
    end as reason
    from candidates c
  ), skipped as (
    update distribution_recipients r set state = 'skipped', skip_reason = v.reason from verdicts v where r.id = v.id and v.reason is not null
  )
  update distribution_recipients r set state = 'sending', claimed_at = now(), attempts = attempts + 1,
    message_id = coalesce(message_id, '<bw.' || distribution_id || '.' || r.id || '@' || $7 || '>')
  from verdicts v where r.id = v.id and v.reason is null
  returning r.id::int, message_id as "messageId", attempts`;

/** When the next recipient waiting for a retry is due, or null when none waits; `finished` once nothing is pending. */
export async function pendingState(db: Queryable, distributionId: number): Promise<{ pending: number; nextRetryAt: Date | null }> {
  const [row] = await db.query<{ pending: number; nextRetryAt: Date | null }>(
    `select count(*)::int as pending, min(retry_at) filter (where retry_at > now()) as "nextRetryAt"
     from distribution_recipients where distribution_id = $1 and state = 'pending'`,
    [distributionId],
  );
  return row!;
}

export async function finishDistribution(db: Queryable, distributionId: number): Promise<void> {
  await db.query(`update distributions set state = 'finished', finished_at = now() where id = $1 and state <> 'finished'`, [distributionId]);
}
