import { escapeHtml } from '../../core/html.ts';
import { roleLabel } from '../../core/directory/roles.ts';

/*
 * What an alert says, as plain text and HTML: pure functions of what the alert recorded, so a
 * message rendered again on a retry is the same message.
 */

/** An answer as an alert names it: who gave it, in which role, the score and comment, and where to read it. */
export type AlertAnswer = {
  id: number;
  score: number;
  comment: string | null;
  respondedAt: string;
  url: string;
  contact: { id: string; name: string; email: string | null; role: string | null };
};

/** An account as an alert names it: its NPS and Health as the widget shows them today. */
export type AlertAccount = { id: string; name: string; url: string; nps: number | null; change: number | null; health: string; responses: number; period: string };

/** A detractor alert's record (alerts.details). */
export type DetractorDetails = { rule: { id: number; name: string }; account: AlertAccount; answer: AlertAnswer };

/** A health alert's record: what changed since the last evaluation, and the account's latest answer for context. */
export type HealthDetails = {
  rule: { id: number; name: string };
  account: AlertAccount;
  previous: { health: string; change: number | null; day: string };
  reasons: string[];
  latestAnswer: AlertAnswer | null;
};

export type RenderedMail = { subject: string; text: string; html: string };

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

function who(contact: AlertAnswer['contact']): string {
  const role = contact.role ? `, ${roleLabel(contact.role)}` : '';
  return `${contact.name || contact.id} (${contact.email ?? 'no email'}${role})`;
}

function standing(account: AlertAccount): string {
  const nps = account.nps === null ? 'no NPS yet' : `NPS ${account.nps}`;
  const change = account.change === null ? '' : `, ${signed(account.change)} points on the previous period`;
  return `${nps} (${account.period}, ${account.responses} ${account.responses === 1 ? 'answer' : 'answers'}${change}), Health ${account.health}`;
}

function answerLines(answer: AlertAnswer): string[] {
  return [
    `${who(answer.contact)} answered ${answer.score} out of 10 on ${answer.respondedAt.slice(0, 10)}.`,
    answer.comment ? `Comment: "${answer.comment}"` : 'No comment.',
  ];
}

/** Lines as paragraphs, links made clickable; every value escaped. */
function toHtml(lines: string[]): string {
  return lines
    .filter((line) => line !== '')
    .map((line) => {
      const escaped = escapeHtml(line).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
      return `<p>${escaped}</p>`;
    })
    .join('\n');
}

export function detractorMail(details: DetractorDetails): RenderedMail {
  const { account, answer, rule } = details;
  const contact = answer.contact.name || answer.contact.id;
  const role = answer.contact.role ? ` (${roleLabel(answer.contact.role)})` : '';
  const lines = [
    `${account.name}: ${answerLines(answer)[0]}`,
    answerLines(answer)[1]!,
    '',
    `${account.name} now: ${standing(account)}.`,
    '',
    `The answer: ${answer.url}`,
    `The account: ${account.url}`,
    '',
    `Sent by the alert rule "${rule.name}".`,
  ];
  return { subject: `Detractor alert: ${contact}${role} at ${account.name} scored ${answer.score}`, text: lines.join('\n'), html: toHtml(lines) };
}

/** One digest for one recipient and day: every health alert of the day that names them. */
export function healthDigestMail(day: string, alerts: HealthDetails[]): RenderedMail {
  const names = alerts.map((a) => a.account.name);
  const lines = [`What changed in your accounts' health on ${day}:`, ''];
  for (const alert of alerts) {
    lines.push(`${alert.account.name}: ${alert.reasons.join('; ')}.`);
    lines.push(`Now: ${standing(alert.account)}.`);
    if (alert.latestAnswer) lines.push(`Latest answer: ${answerLines(alert.latestAnswer).join(' ')}`, `The answer: ${alert.latestAnswer.url}`);
    lines.push(`The account: ${alert.account.url}`, `(alert rule "${alert.rule.name}")`, '');
  }
  const subject = alerts.length === 1 ? `Account health: ${names[0]} ${alerts[0]!.reasons[0]}` : `Account health: ${alerts.length} accounts changed (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`;
  return { subject, text: lines.join('\n').trimEnd(), html: toHtml(lines) };
}
