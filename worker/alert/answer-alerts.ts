import type { PgBoss } from 'pg-boss';
import type { Db } from '../../core/db.ts';
import type { Mailer } from '../../core/mail.ts';
import { accountStandings } from '../../core/widgets/account-standings.ts';
import { queueWebhookDeliveries, type WebhookEvent } from '../webhooks/queue-deliveries.ts';
import { detractorMail, type AlertAccount, type AlertAnswer, type DetractorDetails } from './alert-mail.ts';
import { consoleLinks } from './links.ts';
import { alertsOfAnswer, answerRulesMet, insertAlert, insertAlertMessages, readStoredAnswer, recipientsOf, type StoredAnswer } from './queries.ts';
import { sendAlertMessages } from './send-alert-messages.ts';

export type AlertDeps = {
  db: Db;
  boss: PgBoss;
  /** The configured mailer, and the outbox that the demo directory's alerts go to whatever SMTP_URL says. */
  mailer: Mailer;
  demoMailer: Mailer;
  publicUrl: string;
  mailFrom: string;
};

/** The account's standing today as an alert names it. */
async function alertAccount(deps: AlertDeps, answer: StoredAnswer & { account: { id: string; name: string } }): Promise<AlertAccount> {
  const { config, standings } = await accountStandings(deps.db, answer.directoryId, [answer.account.id]);
  const standing = standings[0];
  return {
    id: answer.account.id,
    name: standing?.name ?? answer.account.name,
    url: consoleLinks(deps.publicUrl, answer.directoryId).account(answer.account.id),
    nps: standing?.nps ?? null,
    change: standing?.change ?? null,
    health: standing?.health ?? 'Not enough data',
    responses: standing?.responses ?? 0,
    period: config.period,
  };
}

/**
 * Raises the alerts of one stored answer (each rule at most once per answer, however often the
 * answer changes within its window or the job runs), tells the directory's webhooks of the answer
 * and the alerts, and sends the alert mail not sent yet. Decided in one transaction, delivered after.
 */
export async function handleAnswerStored(deps: AlertDeps, responseId: number): Promise<void> {
  const answer = await readStoredAnswer(deps.db, responseId);
  // Removed with its directory since it was queued.
  if (!answer) return;
  const links = consoleLinks(deps.publicUrl, answer.directoryId);
  const contact = answer.contact;
  const account = answer.account && contact ? await alertAccount(deps, { ...answer, account: answer.account }) : null;
  const alertAnswer: AlertAnswer | null = contact
    ? { id: answer.id, score: answer.score, comment: answer.comment, respondedAt: answer.respondedAt.toISOString(), url: links.answer(contact.id, answer.id), contact }
    : null;
  // Anonymous answers name no contact or account: no one's account team to alert.
  if (account && alertAnswer) {
    const rules = await answerRulesMet(deps.db, answer.directoryId, answer.score, contact!.role);
    await deps.db.tx(async (tx) => {
      for (const rule of rules) {
        const details: DetractorDetails = { rule: { id: rule.id, name: rule.name }, account, answer: alertAnswer };
        const alertId = await insertAlert(tx, { directoryId: answer.directoryId, ruleId: rule.id, kind: 'detractor', responseId, accountId: account.id, day: null, details });
        if (alertId === null) continue;
        const mail = detractorMail(details);
        const recipients = await recipientsOf(tx, answer.directoryId, account.id, rule);
        await insertAlertMessages(tx, answer.directoryId, recipients.map((recipient) => ({ key: `detractor:${alertId}:${recipient.toLowerCase()}`, recipient, ...mail, alertIds: [alertId] })));
      }
    });
  }
  const alerts = await alertsOfAnswer(deps.db, responseId);
  const events: WebhookEvent[] = [
    {
      key: `answer:${answer.id}:${answer.version.toISOString()}`,
      type: answer.version.getTime() === answer.respondedAt.getTime() ? 'answer.created' : 'answer.updated',
      category: 'answer',
      data: { answer: { id: answer.id, score: answer.score, comment: answer.comment, respondedAt: answer.respondedAt, updatedAt: answer.version, surveyId: answer.surveyId, url: alertAnswer?.url ?? null }, contact, account },
    },
    ...alerts.map((alert): WebhookEvent => ({ key: `alert:${alert.id}`, type: 'alert.detractor', category: 'alert', data: { alertId: alert.id, ...alert.details } })),
  ];
  await queueWebhookDeliveries(deps.db, deps.boss, answer.directoryId, events);
  await sendAlertMessages(deps, alerts.map((a) => a.id), answer.demo);
}
