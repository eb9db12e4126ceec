import type { AlertDeps } from './answer-alerts.ts';
import { markMessageSent, unsentMessages } from './queries.ts';

/**
 * Sends the stored messages of these alerts that are not sent yet, each marked sent as the mail
 * server takes it. A refusal throws: the job is tried again later and sends only what is left.
 * The demo directory's alerts stay in the outbox.
 */
export async function sendAlertMessages(deps: Pick<AlertDeps, 'db' | 'mailer' | 'demoMailer' | 'mailFrom'>, alertIds: number[], demo: boolean): Promise<number> {
  if (alertIds.length === 0) return 0;
  const mailer = demo ? deps.demoMailer : deps.mailer;
  const messages = await unsentMessages(deps.db, alertIds);
  for (const message of messages) {
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
  }
  return messages.length;
}
