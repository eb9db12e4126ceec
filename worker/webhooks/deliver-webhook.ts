import type { Queryable } from '../../core/db.ts';
import { storableText } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { webhookHeaders, webhookSignature } from '../../core/webhooks/verify.ts';

/** How long a receiver has to answer one attempt. */
const attemptTimeoutMs = 10_000;

export type DeliveryAttempt = { attempt: number; lastAttempt: boolean };

/**
 * Sends one delivery: a JSON POST signed over its timestamp and body. A 2xx answer delivers it;
 * anything else is recorded on the delivery and thrown, so the queue tries again after its backoff,
 * until the last attempt marks it failed. A delivery already delivered, or whose webhook is gone or
 * switched off, sends nothing.
 */
export async function deliverWebhook(db: Queryable, box: SecretBox, deliveryId: number, attempt: DeliveryAttempt): Promise<void> {
  const [delivery] = await db.query<{ url: string; secret: string; enabled: boolean; state: string; event: string; payload: object }>(
    `select w.url, w.secret, w.enabled, d.state, d.event, d.payload from webhook_deliveries d join webhooks w on w.id = d.webhook_id where d.id = $1`,
    [deliveryId],
  );
  if (!delivery || delivery.state !== 'pending' || !delivery.enabled) return;
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      body,
      // A redirect could carry the signed body somewhere the admin did not name.
      redirect: 'manual',
      signal: AbortSignal.timeout(attemptTimeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Bellwether-Webhooks/1',
        [webhookHeaders.timestamp]: String(timestamp),
        [webhookHeaders.signature]: webhookSignature(box.open(delivery.secret, 'webhook secret'), timestamp, body),
        [webhookHeaders.delivery]: String(deliveryId),
        [webhookHeaders.event]: delivery.event,
      },
    });
    status = response.status;
    await response.body?.cancel();
    if (status < 200 || status > 299) error = `the receiver answered ${status}`;
  } catch (cause) {
    error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  }
  const state = error === null ? 'delivered' : attempt.lastAttempt ? 'failed' : 'pending';
  await db.query(
    `update webhook_deliveries set state = $2, attempts = $3, last_status = $4, last_error = $5, last_attempt_at = now(),
       delivered_at = case when $2 = 'delivered' then now() end
     where id = $1`,
    [deliveryId, state, attempt.attempt, status, error === null ? null : storableText(error.slice(0, 1000))],
  );
  if (error !== null && !attempt.lastAttempt) throw new Error(`webhook delivery ${deliveryId}, attempt ${attempt.attempt}: ${error}`);
}
