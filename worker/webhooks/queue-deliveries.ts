import { createHash } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Queryable } from '../../core/db.ts';
import { Queue, type WebhookDeliveryJob } from '../../core/queues.ts';

/** Something a webhook is told of: `key` names it once (an answer's version, an alert), `category` is what a webhook subscribes to. */
export type WebhookEvent = {
  key: string;
  type: 'answer.created' | 'answer.updated' | 'alert.detractor' | 'alert.health';
  category: 'answer' | 'alert';
  data: object;
};

/**
 * The delivery's job id, the same each time it is asked for: queueing a delivery again (a retried
 * answer job) finds its job already there and adds none.
 */
function jobIdOf(deliveryId: number): string {
  const hex = createHash('sha256').update(`webhook-delivery:${deliveryId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Records one delivery per event and enabled webhook of the directory that subscribes to it
 * (each at most once), and queues every one of them not delivered yet.
 */
export async function queueWebhookDeliveries(db: Queryable, boss: PgBoss, directoryId: number, events: WebhookEvent[]): Promise<void> {
  if (events.length === 0) return;
  const now = new Date().toISOString();
  const rows = events.map((e) => ({ key: e.key, type: e.type, category: e.category, payload: { id: e.key, type: e.type, createdAt: now, directoryId, data: e.data } }));
  const pending = await db.query<{ id: number }>(
    `with added as (
       insert into webhook_deliveries (webhook_id, event_key, event, payload)
       select w.id, e.key, e.type, e.payload from webhooks w
       cross join jsonb_to_recordset($2::jsonb) as e (key text, type text, category text, payload jsonb)
       where w.directory_id = $1 and w.enabled and e.category = any (w.events)
       on conflict (webhook_id, event_key) do nothing
       returning id
     )
     select id::int from added
     union
     select d.id::int from webhook_deliveries d join webhooks w on w.id = d.webhook_id
     where w.directory_id = $1 and d.state = 'pending' and d.event_key = any ($3)`,
    [directoryId, JSON.stringify(rows), events.map((e) => e.key)],
  );
  for (const { id } of pending) {
    const job: WebhookDeliveryJob = { deliveryId: id };
    await boss.send(Queue.webhookDelivery, job, { id: jobIdOf(id) });
  }
}
