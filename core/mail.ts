import { createTransport } from 'nodemailer';
import { isPermanentResponseCode } from 'nodemailer/lib/errors';
import type { Config } from './config.ts';
import type { Queryable } from './db.ts';

/** One message, fully rendered. `messageId` is chosen by the caller, so it can be recorded before sending. */
export type MailMessage = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers?: Record<string, string>;
};

/** Why a message was not sent, and whether sending it again could help. */
export class MailError extends Error {
  /** True when the server refused this message for good (a 5xx reply to it): sending it again would get the same answer. */
  readonly permanent: boolean;
  readonly responseCode: number | undefined;

  constructor(message: string, options: { permanent: boolean; responseCode?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'MailError';
    this.permanent = options.permanent;
    this.responseCode = options.responseCode;
  }
}

/**
 * Where the product's mail goes: an SMTP server, or the local outbox. Survey distribution and
 * any other mail (e.g. a failed-run notice) send through this.
 */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** How many messages it takes at once (its pooled connections): more would only wait in its queue. */
  readonly concurrency: number;
  /** Resolves once the server (or the outbox) has accepted the message; rejects with a MailError. */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** The configured mailer: SMTP when SMTP_URL is set, else the outbox in the product's database. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'sendRate' | 'smtpConnections'>, db: Queryable): Mailer {
  if (config.smtpUrl) return smtpMailer(config.smtpUrl, { connections: config.smtpConnections, rate: config.sendRate });
  return outboxMailer(db);
}

/**
 * Pooled SMTP connections to the server at `url` (smtp:// or smtps://, credentials in the URL,
 * query parameters as nodemailer's options, e.g. `?ignoreTLS=true`), at most `rate` messages a second.
 */
export function smtpMailer(url: string, options: { connections: number; rate?: number | undefined }): Mailer {
  const transport = createTransport({
    ...smtpUrlOptions(url),
    pool: true,
    maxConnections: options.connections,
    // A connection is reused for the whole distribution; nodemailer's default of 100 messages
    // would reconnect every hundred.
    maxMessages: Infinity,
    ...(options.rate ? { rateLimit: options.rate, rateDelta: 1000 } : {}),
  });
  return {
    kind: 'smtp',
    concurrency: options.connections,
    async send(message) {
      try {
        await transport.sendMail({ ...message, disableUrlAccess: true, disableFileAccess: true });
      } catch (error) {
        const { responseCode, message: reason } = error as { responseCode?: number; message: string };
        throw new MailError(reason, {
          permanent: responseCode !== undefined && isPermanentResponseCode(responseCode),
          ...(responseCode !== undefined ? { responseCode } : {}),
          cause: error,
        });
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** nodemailer's pool options from an SMTP URL: host, port, TLS and credentials, plus boolean and number query options. */
function smtpUrlOptions(url: string) {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  const extra = Object.fromEntries(
    [...parsed.searchParams].map(([key, value]) => [key, value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value]),
  );
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    ...(parsed.username ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } } : {}),
    ...extra,
  };
}

/**
 * Keeps every message in `outbox_messages` instead of sending it. A message already there (the same
 * Message-ID) is accepted again without a second copy.
 */
export function outboxMailer(db: Queryable): Mailer {
  return {
    kind: 'outbox',
    concurrency: 4,
    async send(message) {
      await db.query(
        `insert into outbox_messages (message_id, mail_from, mail_to, subject, html, text) values ($1, $2, $3, $4, $5, $6)
         on conflict (message_id) do nothing`,
        [message.messageId, message.from, message.to, message.subject, message.html, message.text],
      );
    },
    async close() {},
  };
}
