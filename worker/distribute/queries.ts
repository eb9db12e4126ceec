import type { DistributionState } from '../../core/states.ts';
import type { Queryable } from '../../core/db.ts';
import type { Addressee } from './messages.ts';

/*
 * The statements of survey distribution. A recipient row is the whole truth of what was sent to
 * whom: see sql/010_surveys.sql for its states.
 */

/** An address worth sending to: one @, a dot in the domain, no spaces. The loader checks emails more strictly on the way in. */
const emailPattern = String.raw`^[^@\s]+@[^@\s]+\.[^@\s]+$`;

/** 128 random bits from the server's strong random source (gen_random_uuid), as 22 base64url characters. */
const newToken = `rtrim(translate(encode(decode(replace(gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/', '-_'), '=')`;

export type NewDistribution = {
  surveyId: number;
  directoryId: number;
  mailingListId: number;
  workflowId: number | null;
  linkType: 'individual' | 'anonymous';
  from: string;
  subject: string;
  html: string;
  text: string;
  sendAt: Date;
  /** Unique per creator (see sql/011): a second insert with the same key creates nothing. */
  sourceKey?: string;
};

export type CreatedDistribution = { id: number; recipients: number; skipped: number };

/**
 * Creates a distribution and its recipients, one per member of the mailing list, set-based. Members
 * deleted from the directory, without a valid email, or opted out are recorded as skipped. Null
 * when a distribution with the same source key exists.
 */
export async function insertDistribution(db: Queryable, d: NewDistribution & { sourceKey?: undefined }): Promise<CreatedDistribution>;
export async function insertDistribution(db: Queryable, d: NewDistribution): Promise<CreatedDistribution | null>;
export async function insertDistribution(db: Queryable, d: NewDistribution): Promise<CreatedDistribution | null> {
  const [row] = await db.query<{ id: number | null; recipients: number; skipped: number }>(
    `with distribution as (
      insert into distributions (survey_id, directory_id, mailing_list_id, workflow_id, link_type, anonymous_token, mail_from, subject, html, text, send_at, source_key)
      values ($1, $2, $3, $4, $5, case when $5 = 'anonymous' then ${newToken} end, $6, $7, $8, $9, $10, $12)
      on conflict (source_key) do nothing
      returning id
    ), recipients as (
      insert into distribution_recipients (distribution_id, contact_external_id, account_external_id, email, token, state, skip_reason)
      select d.id, m.contact_external_id, c.account_external_id, c.email, ${newToken}, case when s.reason is null then 'pending' else 'skipped' end, s.reason
      from distribution d
      cross join mailing_list_members m
      left join contacts c on c.directory_id = m.directory_id and c.external_id = m.contact_external_id
      cross join lateral (select case
        when c.external_id is null or c.is_deleted then 'deleted'
        when c.email is null or c.email !~ $11 then 'no_email'
        when exists (select 1 from opt_outs o where o.directory_id = $2
          and (o.contact_external_id = c.external_id or lower(o.email) = lower(c.email))) then 'opted_out'
        end as reason) s
      where m.mailing_list_id = $3
      order by m.contact_external_id
      returning state
    )
    select (select id::int from distribution) as id, count(*)::int as recipients, count(*) filter (where state = 'skipped')::int as skipped from recipients`,
    [d.surveyId, d.directoryId, d.mailingListId, d.workflowId, d.linkType, d.from, d.subject, d.html, d.text, d.sendAt, emailPattern, d.sourceKey ?? null],
  );
  return row!.id === null ? null : { id: row!.id, recipients: row!.recipients, skipped: row!.skipped };
}

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
 * In one round trip: records how finished sends ended, puts claimed recipients that were not
 * sent back to pending, and claims the next recipients by marking them 'sending' with their
 * Message-ID, before any of them is handed to the SMTP server. Returns the claims made (a
 * recipient no longer pending is left out).
 */
export async function settleAndClaim(
  db: Queryable,
  change: { settle: Settlement[]; release: number[]; claim: number[] },
  messageIdDomain: string,
): Promise<Claim[]> {
  const { settle, release, claim } = change;
  return db.query<Claim>(
    `with settled as (
      update distribution_recipients r set state = s.state, error = s.error,
        sent_at = case when s.state = 'sent' then now() end,
        retry_at = case when s.retry_secs is null then null else now() + make_interval(secs => s.retry_secs) end
      from unnest($1::bigint[], $2::text[], $3::text[], $4::float8[]) s(id, state, error, retry_secs)
      where r.id = s.id and r.state = 'sending'
    ), released as (
      update distribution_recipients set state = 'pending', attempts = attempts - 1 where id = any($5::bigint[]) and state = 'sending'
    )
    update distribution_recipients set state = 'sending', claimed_at = now(), attempts = attempts + 1,
      message_id = coalesce(message_id, '<bw.' || distribution_id || '.' || id || '@' || $7 || '>')
    where id = any($6::bigint[]) and state = 'pending'
    returning id::int, message_id as "messageId", attempts`,
    [settle.map((s) => s.id), settle.map((s) => s.state), settle.map((s) => s.error), settle.map((s) => (s.retryInMs === null ? null : s.retryInMs / 1000)),
      release, claim, messageIdDomain],
  );
}

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
