import { MailError } from '../../core/mail.ts';
import type { AlertDeps } from './answer-alerts.ts';
import { markMessageRefused, markMessageSent, unsentMessages } from './queries.ts';

/**
 * Sends the stored messages of these alerts that are not sent yet, each marked sent as the mail
 * server takes it. An address the server refuses for good is recorded and skipped; after any other
 * failure the rest are still tried, then it throws, so the job is tried again later and sends only
 * what is left. The demo directory's alerts stay in the outbox. Answers how many were sent.
 */
export async function sendAlertMessages(deps: Pick<AlertDeps, 'db' | 'mailer' | 'demoMailer' | 'mailFrom'>, alertIds: number[], demo: boolean): Promise<number> {
  if (alertIds.length === 0) return 0;
  const mailer = demo ? deps.demoMailer : deps.mailer;
  let sent = 0;
  let failure: unknown;
  for (const message of await unsentMessages(deps.db, alertIds)) {
    try {
      await mailer.send({
        from: deps.mailFrom,
        to: message.recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // The same message each attempt: a mail server or the outbox sees a repeat as one.
        messageId: `<alert-message-${message.id}@bellwether>`,
      });
      await markMessageSent(deps.db, message.id);
      sent++;
    } catch (error) {
      if (error instanceof MailError && error.permanent) await markMessageRefused(deps.db, message.id, error.message);
      else failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return sent;
}
