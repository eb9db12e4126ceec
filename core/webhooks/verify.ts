import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * How Bellwether signs a webhook delivery, and the check a receiver runs on one. This file needs
 * nothing but node:crypto, so a receiver written in TypeScript or JavaScript can copy it as it is
 * (docs/webhooks.md shows it in an Express receiver).
 *
 * Each POST carries the seconds since the epoch when it was sent in `Bellwether-Timestamp`, and
 * `Bellwether-Signature: v1=<hex>`, the HMAC-SHA256, keyed with the webhook's secret, of the
 * timestamp, a dot and the raw body. A receiver refuses a signature that does not match, and a
 * timestamp outside its window: a delivery recorded and replayed later is refused even though its
 * signature is genuine.
 */

export const webhookHeaders = {
  timestamp: 'bellwether-timestamp',
  signature: 'bellwether-signature',
  /** The delivery's id: the same on each retry of one delivery, so a receiver can tell a retry from a new event. */
  delivery: 'bellwether-delivery',
  event: 'bellwether-event',
} as const;

/** How far a delivery's timestamp may be from the receiver's clock, either way: five minutes. */
export const defaultToleranceSeconds = 300;

/** The signature header's value for `body` sent at `timestamp` (seconds since the epoch). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Why a delivery was refused. */
export type WebhookRefusal = 'missing-headers' | 'bad-timestamp' | 'outside-window' | 'bad-signature';

export type WebhookCheck = { ok: true; timestamp: number } | { ok: false; reason: WebhookRefusal };

/**
 * Checks one delivery as received: `body` exactly as it came (the raw bytes, before any JSON
 * parsing), `headers` as Node gives them (lower-case names). `now` is the receiver's clock in
 * milliseconds; `toleranceSeconds` its window (default five minutes).
 */
export function verifyWebhook(options: {
  secret: string;
  body: string | Buffer;
  headers: Record<string, string | string[] | undefined>;
  now?: number;
  toleranceSeconds?: number;
}): WebhookCheck {
  const header = (name: string) => {
    const value = options.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const rawTimestamp = header(webhookHeaders.timestamp);
  const signature = header(webhookHeaders.signature);
  if (!rawTimestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(rawTimestamp)) return { ok: false, reason: 'bad-timestamp' };
  const timestamp = Number(rawTimestamp);
  const now = (options.now ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? defaultToleranceSeconds)) return { ok: false, reason: 'outside-window' };
  const body = typeof options.body === 'string' ? options.body : options.body.toString('utf8');
  const expected = Buffer.from(webhookSignature(options.secret, timestamp, body));
  const given = Buffer.from(signature);
  // Compared in constant time, so the time taken tells an attacker nothing about how much matched.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, timestamp };
}
