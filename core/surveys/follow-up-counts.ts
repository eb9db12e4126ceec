import { z } from 'zod';
import type { Queryable } from '../db.ts';

const count = z.number().int();
const followUpCounts = z.object({ sending: count, sent: count, failed: count, inDoubt: count });
type FollowUpCounts = z.infer<typeof followUpCounts>;

/** What a distribution sends after its invitation, and how many of each went out, as its summary shows them. */
export const followUpSummaryShape = {
  /** Days after the invitation each reminder goes to those who have not answered (at most two). */
  reminderDays: z.array(count),
  /** Days its individual links take answers; null: the survey's. */
  linkExpiryDays: count.nullable(),
  thankYouEmail: z.boolean(),
  /** Reminders and thank-yous by state: each recipient gets each at most once. */
  followUps: z.object({ reminder1: followUpCounts, reminder2: followUpCounts, thankYou: followUpCounts }),
};
type FollowUpSummary = { [K in keyof typeof followUpSummaryShape]: z.infer<(typeof followUpSummaryShape)[K]> };

const none = (): FollowUpCounts => ({ sending: 0, sent: 0, failed: 0, inDoubt: 0 });
const kinds = { reminder_1: 'reminder1', reminder_2: 'reminder2', thank_you: 'thankYou' } as const;
const states = { sending: 'sending', sent: 'sent', failed: 'failed', in_doubt: 'inDoubt' } as const;

/** Adds each distribution's follow-up settings and counts, in two statements for all of them. */
export async function withFollowUps<T extends { id: number }>(db: Queryable, rows: T[]): Promise<(T & FollowUpSummary)[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const settings = await db.query<{ id: number; reminderDays: number[]; linkExpiryDays: number | null; thankYouEmail: boolean }>(
    `select id::int, reminder_days as "reminderDays", link_expiry_days as "linkExpiryDays", thank_you_email as "thankYouEmail" from distributions where id = any($1::bigint[])`,
    [ids],
  );
  const counts = await db.query<{ id: number; kind: keyof typeof kinds; state: keyof typeof states; n: number }>(
    `select r.distribution_id::int as id, f.kind, f.state, count(*)::int as n from recipient_follow_ups f
     join distribution_recipients r on r.id = f.recipient_id where r.distribution_id = any($1::bigint[]) group by 1, 2, 3`,
    [ids],
  );
  return rows.map((row) => {
    const { id: _, ...setting } = settings.find((s) => s.id === row.id)!;
    const followUps = { reminder1: none(), reminder2: none(), thankYou: none() };
    for (const c of counts.filter((c) => c.id === row.id)) followUps[kinds[c.kind]][states[c.state]] = c.n;
    return { ...row, ...setting, followUps };
  });
}
