import type { PgBoss } from 'pg-boss';
import type { Db, Queryable, Tx } from '../db.ts';
import { distributionSendKey, Queue, type DistributionSendJob } from '../queues.ts';
import type { Audience } from '../states.ts';
import { setFollowUps, type FollowUps } from './follow-ups.ts';

/*
 * Creating a distribution: its recipients decided and its send job enqueued in one transaction,
 * by a workflow's distribute task (the worker) or by an admin (POST /api/distributions).
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
  /** Of the list's members, whom it invites; 'new' and 'newOrChanged' read the run that made the list. */
  audience: Audience;
  linkType: 'individual' | 'anonymous';
  from: string;
  subject: string;
  html: string;
  text: string;
  sendAt: Date;
  /** Unique per creator (see sql/011): a second insert with the same key creates nothing. */
  sourceKey?: string;
};

/** What a distribution sends after its invitation, and whether its invitation follows each recipient's language. */
export type DistributionFollowUps = FollowUps & { localized: boolean };

export type CreatedDistribution = { id: number; recipients: number; skipped: number };

/**
 * Creates a distribution and its recipients, one per member of the mailing list, set-based. Members
 * deleted from the directory, without a valid email, opted out, or outside the audience are
 * recorded as skipped with that reason (contact rules are checked later, as each is claimed for
 * sending). Null when a distribution with the same source key exists.
 */
export async function insertDistribution(db: Queryable, d: NewDistribution & { sourceKey?: undefined }): Promise<CreatedDistribution>;
export async function insertDistribution(db: Queryable, d: NewDistribution): Promise<CreatedDistribution | null>;
export async function insertDistribution(db: Queryable, d: NewDistribution): Promise<CreatedDistribution | null> {
  const [row] = await db.query<{ id: number | null; recipients: number; skipped: number }>(
    `with distribution as (
      insert into distributions (survey_id, directory_id, mailing_list_id, workflow_id, link_type, anonymous_token, mail_from, subject, html, text, send_at, source_key, audience)
      values ($1, $2, $3, $4, $5, case when $5 = 'anonymous' then ${newToken} end, $6, $7, $8, $9, $10, $12, $13)
      on conflict (source_key) do nothing
      returning id
    ), recipients as (
      insert into distribution_recipients (distribution_id, contact_external_id, account_external_id, email, token, state, skip_reason)
      select d.id, m.contact_external_id, c.account_external_id, c.email, ${newToken}, case when s.reason is null then 'pending' else 'skipped' end, s.reason
      from distribution d
      cross join mailing_lists l
      join mailing_list_members m on m.mailing_list_id = l.id
      left join contacts c on c.directory_id = m.directory_id and c.external_id = m.contact_external_id
      cross join lateral (select case
        when c.external_id is null or c.is_deleted then 'deleted'
        when $13 = 'new' and c.created_run_id is distinct from l.run_id then 'not_new'
        when $13 = 'newOrChanged' and c.last_run_id is distinct from l.run_id and c.created_run_id is distinct from l.run_id then 'unchanged'
        when c.email is null or c.email !~ $11 then 'no_email'
        when exists (select 1 from opt_outs o where o.directory_id = $2
          and (o.contact_external_id = c.external_id or lower(o.email) = lower(c.email))) then 'opted_out'
        end as reason) s
      where l.id = $3
      order by m.contact_external_id
      returning state
    )
    select (select id::int from distribution) as id, count(*)::int as recipients, count(*) filter (where state = 'skipped')::int as skipped from recipients`,
    [d.surveyId, d.directoryId, d.mailingListId, d.workflowId, d.linkType, d.from, d.subject, d.html, d.text, d.sendAt, emailPattern, d.sourceKey ?? null, d.audience],
  );
  return row!.id === null ? null : { id: row!.id, recipients: row!.recipients, skipped: row!.skipped };
}

/** Where a new distribution's send job goes: pg-boss, in the transaction that creates the distribution. */
export type SendQueue = { enqueue: (tx: Tx, distributionId: number, sendAt: Date) => Promise<void> };

export function sendQueue(boss: PgBoss): SendQueue {
  return {
    async enqueue(tx, distributionId, sendAt) {
      const job: DistributionSendJob = { distributionId };
      await boss.send(Queue.distributionSend, job, {
        startAfter: sendAt,
        singletonKey: distributionSendKey(distributionId),
        db: { executeSql: async (text, values) => ({ rows: await tx.query(text, values) }) },
      });
    },
  };
}

/**
 * Decides a distribution (see insertDistribution; `decide` may first write what it reads, e.g. a
 * mailing list), records its follow-ups, and enqueues the job that sends it at its time.
 * Both commit together, so a distribution never exists without its job. Null when `sourceKey`
 * names a distribution made before: nothing new is created or sent.
 */
export async function createDistribution(
  db: Db,
  queue: SendQueue,
  decide: NewDistribution | ((tx: Tx) => Promise<NewDistribution>),
  followUps: DistributionFollowUps,
): Promise<(CreatedDistribution & { sendAt: Date }) | null> {
  try {
    return await db.tx(async (tx) => {
      const d = typeof decide === 'function' ? await decide(tx) : decide;
      const created = await insertDistribution(tx, d);
      // What `decide` wrote for a distribution that already exists is rolled back with it.
      if (!created) throw madeBefore;
      await setFollowUps(tx, created.id, followUps);
      await queue.enqueue(tx, created.id, d.sendAt);
      return { ...created, sendAt: d.sendAt };
    });
  } catch (error) {
    if (error === madeBefore) return null;
    throw error;
  }
}

const madeBefore = new Error('a distribution with this source key exists');
