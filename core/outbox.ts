import { z } from 'zod';
import type { Queryable } from './db.ts';

/*
 * Reading the local outbox, where mail goes when no SMTP server is configured (core/mail.ts writes it).
 * Apart from the mailer so that the web process, which only reads it, does not load the SMTP transport.
 */

export const outboxMessageSchema = z.object({
  id: z.number().int(),
  messageId: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  createdAt: z.date(),
});
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;

/** A kept message's HTML body; null when there is no such message, or it has text only. */
export async function findOutboxHtml(db: Queryable, id: number): Promise<string | null> {
  const [row] = await db.query<{ html: string | null }>('select html from outbox_messages where id = $1', [id]);
  return row?.html ?? null;
}

/** The outbox, newest first. */
export async function listOutbox(db: Queryable, window: { limit: number; offset: number }): Promise<{ items: OutboxMessage[]; total: number }> {
  const rows = await db.query<OutboxMessage & { total: number }>(
    `select id::int, message_id as "messageId", mail_from as "from", mail_to as "to", subject, text, html, created_at as "createdAt",
            count(*) over ()::int as total
     from outbox_messages order by id desc limit $1 offset $2`,
    [window.limit, window.offset],
  );
  const total = rows[0]?.total ?? (await db.query<{ n: number }>('select count(*)::int as n from outbox_messages'))[0]!.n;
  return { items: rows.map(({ total: _, ...message }) => message), total };
}
