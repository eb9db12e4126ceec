import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';

/*
 * A directory's contact frequency rule, checked as each invitation is claimed for sending
 * (worker/distribute/queries.ts): at most `maxInvitations` to one address per rolling `periodDays`,
 * counting every survey or each survey apart. Beside it, one rule always holds: the same survey
 * never goes to the same address twice within 12 hours.
 */

const whole = (min: number, max: number, what: string) => z.number(`${what}, a whole number from ${min} to ${max}`).int(`${what}, a whole number from ${min} to ${max}`).min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`);

export const contactRulesInput = z.strictObject({
  maxInvitations: whole(1, 100, 'the invitations one address may get in the period'),
  periodDays: whole(1, 730, 'the period in days'),
  /** True: each survey counts apart (N of each survey per period); false: all surveys together. */
  perSurvey: z.boolean().default(false),
});
export type ContactRulesInput = z.input<typeof contactRulesInput>;

export const contactRulesSchema = contactRulesInput.extend({
  directoryId: z.number().int(),
  /** Null while the directory keeps the default rule. */
  updatedAt: z.date().nullable(),
});
export type ContactRules = z.infer<typeof contactRulesSchema>;

/** What a directory without a rule of its own follows. */
export const defaultContactRules = { maxInvitations: 1, periodDays: 30, perSurvey: false } as const;

const columns = `d.id::int as "directoryId", coalesce(r.max_invitations, ${defaultContactRules.maxInvitations}) as "maxInvitations",
  coalesce(r.period_days, ${defaultContactRules.periodDays}) as "periodDays", coalesce(r.per_survey, ${defaultContactRules.perSurvey}) as "perSurvey", r.updated_at as "updatedAt"`;

const noDirectory = (id: number) => new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${id} does not exist`);

export async function findContactRules(db: Queryable, directoryId: number): Promise<ContactRules> {
  const [row] = await db.query<ContactRules>(`select ${columns} from directories d left join contact_rules r on r.directory_id = d.id where d.id = $1`, [directoryId]);
  if (!row) throw noDirectory(directoryId);
  return row;
}

/** Replaces a directory's rule; it holds for every invitation claimed from then on, distributions already made included. */
export async function saveContactRules(db: Queryable, directoryId: number, input: unknown): Promise<ContactRules> {
  const parsed = contactRulesInput.safeParse(input);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `invalid contact rules: ${describeIssues(parsed.error, '(body)')}`);
  const { maxInvitations, periodDays, perSurvey } = parsed.data;
  const [row] = await db.query<ContactRules>(
    `with saved as (
      insert into contact_rules (directory_id, max_invitations, period_days, per_survey)
      select id, $2, $3, $4 from directories where id = $1
      on conflict (directory_id) do update set max_invitations = excluded.max_invitations, period_days = excluded.period_days,
        per_survey = excluded.per_survey, updated_at = now()
      returning *
    ) select ${columns} from directories d join saved r on r.directory_id = d.id`,
    [directoryId, maxInvitations, periodDays, perSurvey],
  );
  if (!row) throw noDirectory(directoryId);
  return row;
}
