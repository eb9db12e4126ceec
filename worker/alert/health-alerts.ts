import type { Queryable, Tx } from '../../core/db.ts';
import { accountStandings, type AccountStanding } from '../../core/widgets/account-standings.ts';
import { queueWebhookDeliveries } from '../webhooks/queue-deliveries.ts';
import { healthDigestMail, type HealthDetails } from './alert-mail.ts';
import type { AlertDeps } from './answer-alerts.ts';
import { consoleLinks } from './links.ts';
import { insertAlert, insertAlertMessages, latestAnswerOf, recipientsOf } from './queries.ts';
import { sendAlertMessages } from './send-alert-messages.ts';

type HealthRule = { id: number; name: string; healthTo: string[]; npsDrop: number | null; roles: string[]; emails: string[] };
type State = { ruleId: number; accountId: string; health: string; change: number | null };

/**
 * What changed for `rule` between the account's last evaluation and now: Health moved into one of
 * the rule's values, or NPS fell by the rule's drop or more period over period (having not before).
 * An account seen for the first time only has its standing recorded.
 */
export function healthReasons(rule: Pick<HealthRule, 'healthTo' | 'npsDrop'>, previous: Pick<State, 'health' | 'change'> | undefined, now: AccountStanding, period: string): string[] {
  if (!previous) return [];
  const reasons: string[] = [];
  if (rule.healthTo.includes(now.health) && previous.health !== now.health) reasons.push(`Health changed from ${previous.health} to ${now.health}`);
  const dropped = (change: number | null) => rule.npsDrop !== null && change !== null && change <= -rule.npsDrop;
  if (dropped(now.change) && !dropped(previous.change)) reasons.push(`NPS dropped ${-now.change!} points on the previous period (${period})`);
  return reasons;
}

async function healthRules(db: Queryable, directoryId: number): Promise<HealthRule[]> {
  return db.query<HealthRule>(
    `select id::int, name, health_values as "healthTo", nps_drop as "npsDrop", recipient_roles as roles, recipient_emails as emails
     from alert_rules where directory_id = $1 and enabled and kind = 'health' order by id`,
    [directoryId],
  );
}

async function saveStates(tx: Tx, states: State[], day: string): Promise<void> {
  await tx.query(
    `insert into alert_account_states (rule_id, account_external_id, health, change, day)
     select rule_id, account_id, health, change, $5::date from unnest($1::bigint[], $2::text[], $3::text[], $4::int[]) as s (rule_id, account_id, health, change)
     on conflict (rule_id, account_external_id) do update set health = excluded.health, change = excluded.change, day = excluded.day`,
    [states.map((s) => s.ruleId), states.map((s) => s.accountId), states.map((s) => s.health), states.map((s) => s.change), day],
  );
}

/**
 * Evaluates one directory's health rules for `day`, once: claims the day, compares each live
 * account's standing with the one recorded last time, raises an alert per rule and account that
 * changed, and stores one digest per recipient naming all of them. False when the day was evaluated already.
 */
async function evaluateDirectory(deps: AlertDeps, directoryId: number, day: string): Promise<boolean> {
  const rules = await healthRules(deps.db, directoryId);
  const accounts = await deps.db.query<{ id: string }>('select external_id as id from accounts where directory_id = $1 and not is_deleted order by external_id', [directoryId]);
  const { config, standings } = await accountStandings(deps.db, directoryId, accounts.map((a) => a.id), day);
  const links = consoleLinks(deps.publicUrl, directoryId);
  return deps.db.tx(async (tx) => {
    const claimed = await tx.query('insert into health_evaluations (directory_id, day, alerts) values ($1, $2, 0) on conflict do nothing returning 1', [directoryId, day]);
    if (claimed.length === 0) return false;
    const previous = new Map(
      (await tx.query<State>(
        `select rule_id::int as "ruleId", account_external_id as "accountId", health, change from alert_account_states where rule_id = any ($1::bigint[])`,
        [rules.map((r) => r.id)],
      )).map((s) => [`${s.ruleId}:${s.accountId}`, s]),
    );
    const digests = new Map<string, { recipient: string; alerts: HealthDetails[]; alertIds: number[] }>();
    const states: State[] = [];
    for (const rule of rules) {
      for (const standing of standings) {
        const before = previous.get(`${rule.id}:${standing.id}`);
        states.push({ ruleId: rule.id, accountId: standing.id, health: standing.health, change: standing.change });
        const reasons = healthReasons(rule, before, standing, config.period);
        if (reasons.length === 0) continue;
        const details: HealthDetails = {
          rule: { id: rule.id, name: rule.name },
          account: { id: standing.id, name: standing.name, url: links.account(standing.id), nps: standing.nps, change: standing.change, health: standing.health, responses: standing.responses, period: config.period },
          previous: { health: before!.health, change: before!.change, day },
          reasons,
          latestAnswer: await latestAnswerOf(tx, directoryId, standing.id, links.answer),
        };
        const alertId = await insertAlert(tx, { directoryId, ruleId: rule.id, kind: 'health', responseId: null, accountId: standing.id, day, details });
        if (alertId === null) continue;
        for (const recipient of await recipientsOf(tx, directoryId, standing.id, rule)) {
          const key = recipient.toLowerCase();
          const digest = digests.get(key) ?? { recipient, alerts: [], alertIds: [] };
          digest.alerts.push(details);
          digest.alertIds.push(alertId);
          digests.set(key, digest);
        }
      }
    }
    await saveStates(tx, states, day);
    await insertAlertMessages(tx, directoryId, [...digests.entries()].map(([key, d]) => ({ key: `health:${directoryId}:${day}:${key}`, recipient: d.recipient, ...healthDigestMail(day, d.alerts), alertIds: d.alertIds })));
    await tx.query(`update health_evaluations set alerts = (select count(*) from alerts where directory_id = $1 and kind = 'health' and day = $2) where directory_id = $1 and day = $2`, [directoryId, day]);
    return true;
  });
}

/**
 * The daily evaluation (`day` as YYYY-MM-DD): every directory with an enabled health rule is
 * evaluated once for the day; then the day's health alerts go to the webhooks and the digests
 * not sent yet are sent (a retry after a mail outage sends only what is left).
 */
export async function evaluateHealthAlerts(deps: AlertDeps, day: string): Promise<{ evaluated: number; sent: number }> {
  const directories = await deps.db.query<{ id: number; demo: boolean }>(
    `select d.id::int, d.demo from directories d where exists (select 1 from alert_rules r where r.directory_id = d.id and r.enabled and r.kind = 'health') order by d.id`,
  );
  let evaluated = 0;
  let sent = 0;
  for (const directory of directories) {
    if (await evaluateDirectory(deps, directory.id, day)) evaluated++;
    const alerts = await deps.db.query<{ id: number; details: object }>(`select id::int, details from alerts where directory_id = $1 and kind = 'health' and day = $2 order by id`, [directory.id, day]);
    await queueWebhookDeliveries(deps.db, deps.boss, directory.id, alerts.map((a) => ({ key: `alert:${a.id}`, type: 'alert.health', category: 'alert', data: { alertId: a.id, ...a.details } })));
    sent += await sendAlertMessages(deps, alerts.map((a) => a.id), directory.demo);
  }
  return { evaluated, sent };
}
