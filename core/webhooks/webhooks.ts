import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import type { Page, Window } from '../page.ts';
import type { SecretBox } from '../secret-box.ts';

/*
 * Webhooks of a directory: URLs that get a signed JSON POST on each answer and each alert
 * (core/webhooks/verify.ts), with a log of every delivery.
 */

export const webhookEvents = ['answer', 'alert'] as const;

const url = z
  .string({ error: 'must be a URL' })
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), 'must be an http:// or https:// URL');

const shape = {
  url,
  directoryId: z.number().int().min(1).default(1),
  events: z.array(z.enum(webhookEvents, { error: 'must be answer or alert' })).min(1, 'name answer, alert or both').max(2).default(['answer', 'alert']),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
};

export const webhookInput = z.strictObject(shape);
export const webhookChange = z.strictObject({ url, events: shape.events.unwrap(), enabled: shape.enabled.unwrap() }).partial();

export const webhookSchema = z.object({
  id: z.number().int(),
  directoryId: z.number().int(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  deliveries: z.object({ pending: z.number().int(), delivered: z.number().int(), failed: z.number().int() }),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** A webhook as its creation answers it: with the signing secret, shown this once. */
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });

export const webhookDeliverySchema = z.object({
  id: z.number().int(),
  event: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  createdAt: z.date(),
  payload: z.record(z.string(), z.unknown()),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

const columns = `w.id::int, w.directory_id::int as "directoryId", w.url, w.events, w.enabled, w.created_at as "createdAt", w.updated_at as "updatedAt",
  (select json_build_object('pending', count(*) filter (where d.state = 'pending'), 'delivered', count(*) filter (where d.state = 'delivered'),
     'failed', count(*) filter (where d.state = 'failed')) from webhook_deliveries d where d.webhook_id = w.id) as deliveries`;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `invalid webhook: ${describeIssues(parsed.error, '(body)')}`);
  return parsed.data;
}

function notFound(id: number): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `webhook ${id} does not exist`);
}

export async function listWebhooks(db: Queryable, directoryId: number): Promise<Webhook[]> {
  return db.query<Webhook>(`select ${columns} from webhooks w where w.directory_id = $1 order by w.id`, [directoryId]);
}

export async function findWebhook(db: Queryable, id: number): Promise<Webhook> {
  const [row] = await db.query<Webhook>(`select ${columns} from webhooks w where w.id = $1`, [id]);
  if (!row) throw notFound(id);
  return row;
}

/** Saves a webhook with a new signing secret, sealed; the answer carries the secret in the clear this once. */
export async function createWebhook(db: Queryable, box: SecretBox, input: unknown): Promise<Webhook & { secret: string }> {
  const webhook = parse(webhookInput, input);
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const [row] = await db
    .query<{ id: number }>('insert into webhooks (directory_id, url, events, enabled, secret) values ($1, $2, $3, $4, $5) returning id::int', [
      webhook.directoryId, webhook.url, webhook.events, webhook.enabled, box.seal(secret),
    ])
    .catch((error: { code?: string }) => {
      if (error.code === '23503') throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${webhook.directoryId} does not exist`);
      throw error;
    });
  return { ...(await findWebhook(db, row!.id)), secret };
}

export async function updateWebhook(db: Queryable, id: number, input: unknown): Promise<Webhook> {
  const change = parse(webhookChange, input);
  const updated = await db.query(
    `update webhooks set url = coalesce($2, url), events = coalesce($3, events), enabled = coalesce($4, enabled), updated_at = now() where id = $1 returning 1`,
    [id, change.url ?? null, change.events ?? null, change.enabled ?? null],
  );
  if (updated.length === 0) throw notFound(id);
  return findWebhook(db, id);
}

/** Removes a webhook with its delivery log; deliveries still queued find nothing to send. */
export async function deleteWebhook(db: Queryable, id: number): Promise<void> {
  const removed = await db.query('delete from webhooks where id = $1 returning 1', [id]);
  if (removed.length === 0) throw notFound(id);
}

/** A webhook's deliveries, newest first. */
export async function listWebhookDeliveries(db: Queryable, id: number, window: Window): Promise<Page<WebhookDelivery>> {
  await findWebhook(db, id);
  const [{ total }] = (await db.query<{ total: number }>('select count(*)::int as total from webhook_deliveries where webhook_id = $1', [id])) as [{ total: number }];
  const items = await db.query<WebhookDelivery>(
    `select id::int, event, state, attempts, last_status as "lastStatus", last_error as "lastError", last_attempt_at as "lastAttemptAt",
       delivered_at as "deliveredAt", created_at as "createdAt", payload
     from webhook_deliveries where webhook_id = $1 order by id desc limit $2 offset $3`,
    [id, window.limit, window.offset],
  );
  return { items, total, limit: window.limit, offset: window.offset };
}
