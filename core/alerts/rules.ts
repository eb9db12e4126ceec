import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import { clientRoles, Health, managementRoles } from '../widgets/config.ts';

/*
 * Alert rules of a directory: on an answer (a score at or below a threshold, optionally only from
 * some client roles), or on an account's Health changing or its NPS dropping period over period.
 * Recipients are the account's management roles, fixed addresses, or both.
 */

const email = z.email({ error: 'must be an email address' }).max(320);

const shape = {
  name: z.string({ error: 'an alert rule needs a name' }).trim().min(1, 'an alert rule needs a name').max(200, 'must be at most 200 characters'),
  directoryId: z.number().int().min(1).default(1),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  kind: z.enum(['answer', 'health'], { error: 'must be answer or health' }),
  /** answer: alert on a score at or below this. */
  maxScore: z.number().int('must be an integer from 0 to 10').min(0, 'must be an integer from 0 to 10').max(10, 'must be an integer from 0 to 10').nullable().default(null),
  /** answer: only from contacts holding one of these client roles; empty: any contact. */
  clientRoles: z.array(z.enum(clientRoles, { error: `must be one of ${clientRoles.join(', ')}` })).max(clientRoles.length).default([]),
  /** health: alert when an account's Health changes to one of these. */
  healthTo: z.array(z.enum(Object.values(Health), { error: `must be one of ${Object.values(Health).join(', ')}` })).max(4).default([]),
  /** health: alert when an account's NPS drops by at least this many points period over period. */
  npsDrop: z.number().int('must be an integer from 1 to 200').min(1, 'must be an integer from 1 to 200').max(200, 'must be an integer from 1 to 200').nullable().default(null),
  recipients: z
    .strictObject({
      roles: z.array(z.enum(managementRoles, { error: `must be one of ${managementRoles.join(', ')}` })).max(managementRoles.length).default([]),
      emails: z.array(email).max(50, 'at most 50 addresses').default([]),
    })
    .refine((r) => r.roles.length + r.emails.length > 0, 'name at least one management role or address')
    .default({ roles: ['ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER'], emails: [] }),
};

/** A rule's fields as the API takes them (the API's description shows this). */
export const alertRuleFields = z.strictObject(shape);

/** A rule as it is created; a change gives any of its fields and is checked whole with the saved ones. */
const alertRuleInput = alertRuleFields
  .superRefine((rule, ctx) => {
    if (rule.kind === 'answer') {
      if (rule.healthTo.length > 0 || rule.npsDrop !== null) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'an answer rule takes maxScore and clientRoles, not healthTo or npsDrop' });
    } else {
      if (rule.healthTo.length === 0 && rule.npsDrop === null) ctx.addIssue({ code: 'custom', path: ['healthTo'], message: 'a health rule needs healthTo, npsDrop or both' });
      if (rule.maxScore !== null || rule.clientRoles.length > 0) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'a health rule takes healthTo and npsDrop, not maxScore or clientRoles' });
    }
  })
  .transform((rule) => (rule.kind === 'answer' ? { ...rule, maxScore: rule.maxScore ?? 6 } : rule));
type AlertRuleInput = z.infer<typeof alertRuleInput>;

export const alertRuleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  directoryId: z.number().int(),
  enabled: z.boolean(),
  kind: z.enum(['answer', 'health']),
  maxScore: z.number().int().nullable(),
  clientRoles: z.array(z.string()),
  healthTo: z.array(z.string()),
  npsDrop: z.number().int().nullable(),
  recipients: z.object({ roles: z.array(z.string()), emails: z.array(z.string()) }),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type AlertRule = z.infer<typeof alertRuleSchema>;

const columns = `id::int, name, directory_id::int as "directoryId", enabled, kind, max_score as "maxScore", client_roles as "clientRoles",
  health_values as "healthTo", nps_drop as "npsDrop", json_build_object('roles', recipient_roles, 'emails', recipient_emails) as recipients,
  created_at as "createdAt", updated_at as "updatedAt"`;

function parseRule(input: unknown): AlertRuleInput {
  const parsed = alertRuleInput.safeParse(input);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `invalid alert rule: ${describeIssues(parsed.error, '(body)')}`);
  return parsed.data;
}

function writeFailed(rule: AlertRuleInput) {
  return (error: { code?: string; constraint?: string }): never => {
    if (error.code === '23505') throw new AppError(ErrorCode.CONFLICT, `an alert rule named "${rule.name}" already exists in directory ${rule.directoryId}`);
    if (error.code === '23503') throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${rule.directoryId} does not exist`);
    throw error;
  };
}

const values = (rule: AlertRuleInput) => [
  rule.name, rule.directoryId, rule.enabled, rule.kind, rule.maxScore, rule.clientRoles, rule.healthTo, rule.npsDrop, rule.recipients.roles, rule.recipients.emails,
];

/** A directory's rules, answer rules first, by name. */
export async function listAlertRules(db: Queryable, directoryId: number): Promise<AlertRule[]> {
  return db.query<AlertRule>(`select ${columns} from alert_rules where directory_id = $1 order by kind, lower(name), id`, [directoryId]);
}

export async function findAlertRule(db: Queryable, id: number): Promise<AlertRule> {
  const [row] = await db.query<AlertRule>(`select ${columns} from alert_rules where id = $1`, [id]);
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `alert rule ${id} does not exist`);
  return row;
}

export async function createAlertRule(db: Queryable, input: unknown): Promise<AlertRule> {
  const rule = parseRule(input);
  const [row] = await db
    .query<AlertRule>(
      `insert into alert_rules (name, directory_id, enabled, kind, max_score, client_roles, health_values, nps_drop, recipient_roles, recipient_emails)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${columns}`,
      values(rule),
    )
    .catch(writeFailed(rule));
  return row!;
}

/** Applies the fields given over the saved ones and checks the result whole; a rule stays in its directory. */
export async function updateAlertRule(db: Queryable, id: number, change: Record<string, unknown>): Promise<AlertRule> {
  const { id: _id, createdAt: _c, updatedAt: _u, ...current } = await findAlertRule(db, id);
  if ('directoryId' in change && change.directoryId !== current.directoryId) {
    throw new AppError(ErrorCode.BAD_REQUEST, 'invalid alert rule: directoryId: a rule stays in its directory; create one in the other directory instead');
  }
  // Switching kind drops the other kind's conditions unless the change names them.
  const base = change.kind !== undefined && change.kind !== current.kind ? { ...current, maxScore: null, clientRoles: [], healthTo: [], npsDrop: null } : current;
  const rule = parseRule({ ...base, ...change });
  const [row] = await db
    .query<AlertRule>(
      `update alert_rules set name = $2, enabled = $4, kind = $5, max_score = $6, client_roles = $7, health_values = $8, nps_drop = $9,
         recipient_roles = $10, recipient_emails = $11, updated_at = now()
       where id = $1 and directory_id = $3 returning ${columns}`,
      [id, ...values(rule)],
    )
    .catch(writeFailed(rule));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `alert rule ${id} does not exist`);
  return row;
}

export async function deleteAlertRule(db: Queryable, id: number): Promise<void> {
  const removed = await db.query('delete from alert_rules where id = $1 returning 1', [id]);
  if (removed.length === 0) throw new AppError(ErrorCode.NOT_FOUND, `alert rule ${id} does not exist`);
}
