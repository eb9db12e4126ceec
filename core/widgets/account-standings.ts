import type { Queryable } from '../db.ts';
import type { Health, WidgetConfig } from './config.ts';
import { defaultWidgetConfig } from './config-queries.ts';
import { bucketsOf, periodsUpTo } from './periods.ts';
import { readAccounts, todayIn } from './strategic-accounts-queries.ts';

/** Where an account stands on a date, as the widget shows it: NPS of the current period, its change, Health. */
export type AccountStanding = {
  id: string;
  name: string;
  nps: number | null;
  /** Current NPS minus the previous period's, in NPS points; null when either period has no answer. */
  change: number | null;
  health: Health;
  responses: number;
};

/** How many accounts one read takes: a page of the widget's size order. */
const chunk = 500;

/**
 * The standings of `accountIds` on `asOf` (default: today in the configuration's time zone), read
 * through the widget's own statement with the directory's widget configuration ("My accounts" uses
 * the same: its first one, or the defaults), so an alert and the widget never disagree.
 */
export async function accountStandings(db: Queryable, directoryId: number, accountIds: string[], asOf?: string): Promise<{ config: WidgetConfig; asOf: string; standings: AccountStanding[] }> {
  const config = await defaultWidgetConfig(db, directoryId);
  const day = asOf ?? (await todayIn(db, config.timeZone));
  const buckets = bucketsOf(periodsUpTo(config.period, day, 2), day);
  const scope = { directoryId, pattern: null, userEmail: null, rollUp: config.rollUp };
  const standings: AccountStanding[] = [];
  for (let i = 0; i < accountIds.length; i += chunk) {
    const rows = await readAccounts(db, scope, config, accountIds.slice(i, i + chunk), buckets, [], []);
    for (const row of rows) {
      const previous = row.buckets[0]!;
      const current = row.buckets[1]!;
      standings.push({
        id: row.id,
        name: row.name,
        nps: current.nps,
        change: current.nps !== null && previous.nps !== null ? current.nps - previous.nps : null,
        health: row.health as Health,
        responses: current.responses,
      });
    }
  }
  return { config, asOf: day, standings };
}
