import { randomUUID } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import type { Queryable } from '../../core/db.ts';
import { escapeHtml } from '../../core/html.ts';

export type MailSettings = Pick<Config, 'smtpUrl' | 'sendRate' | 'smtpConnections' | 'mailFrom'>;

/**
 * Mails an invitation through the configured transport (SMTP, or the outbox on `db`). The mail
 * module is loaded only now: the web process otherwise never needs the SMTP transport, and
 * invitations are few.
 */
export async function sendInvitation(
  db: Queryable,
  settings: MailSettings,
  invitation: { to: string; name: string; invitedBy: string; link: string; expiresAt: Date },
): Promise<void> {
  const { createMailer } = await import('../../core/mail.ts');
  const mailer = createMailer(settings, db);
  const lines = [
    `Hello${invitation.name ? ` ${invitation.name}` : ''},`,
    '',
    `${invitation.invitedBy} invites you to Bellwether. Choose your password here:`,
    invitation.link,
    '',
    `The link works once, until ${invitation.expiresAt.toUTCString()}.`,
  ];
  try {
    await mailer.send({
      from: settings.mailFrom,
      to: invitation.to,
      subject: 'Your invitation to Bellwether',
      text: lines.join('\n'),
      html: lines.map((line) => (line === invitation.link ? `<p><a href="${escapeHtml(line)}">${escapeHtml(line)}</a></p>` : line === '' ? '' : `<p>${escapeHtml(line)}</p>`)).join('\n'),
      messageId: `<invitation-${randomUUID()}@bellwether>`,
    });
  } finally {
    await mailer.close();
  }
}
