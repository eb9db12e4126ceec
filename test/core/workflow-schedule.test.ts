import assert from 'node:assert/strict';
import { cronOf } from '../../core/workflows/definition.ts';
import { parseDefinition } from '../../core/workflows/queries.ts';
import { nextRunAt } from '../../core/workflows/schedule.ts';

const tasks = [
  { type: 'extract', name: 'T1', object: 'accounts', source: 'file', path: '/exports/accounts.csv' },
  { type: 'load', name: 'T2', extracts: { accounts: 'T1' } },
];
const scheduleOf = (schedule: unknown) => parseDefinition({ schedule, tasks }).schedule!;

describe('workflow schedules', () => {
  it('keeps the preset as written and runs it on the cron it stands for', () => {
    const cases: [unknown, string, string][] = [
      [{ daily: '06:30', timeZone: 'Europe/Berlin' }, '30 6 * * *', 'Europe/Berlin'],
      [{ hourly: 15 }, '15 * * * *', 'UTC'],
      [{ weekly: 'monday', at: '07:05', timeZone: 'America/New_York' }, '5 7 * * 1', 'America/New_York'],
      [{ weekly: 'sunday', at: '00:00' }, '0 0 * * 0', 'UTC'],
      [{ cron: '0 6 1 * *' }, '0 6 1 * *', 'UTC'],
      // Today's names of zones the runtime lists by their old ones (Asia/Calcutta, Europe/Kiev).
      [{ daily: '06:00', timeZone: 'Asia/Kolkata' }, '0 6 * * *', 'Asia/Kolkata'],
      [{ hourly: 0, timeZone: 'Europe/Kyiv' }, '0 * * * *', 'Europe/Kyiv'],
    ];
    for (const [input, cron, timeZone] of cases) {
      const saved = scheduleOf(input);
      assert.deepEqual(saved, { timeZone, ...(input as object) });
      assert.equal(cronOf(saved), cron);
    }
  });

  it('refuses a schedule it cannot read, saying what is wrong or what a schedule looks like', () => {
    const shape =
      'schedule: a schedule is { "cron": "0 6 * * *" }, { "daily": "06:00" }, { "hourly": <minute 0-59> } or { "weekly": "monday", "at": "06:00" }, each with an optional "timeZone"';
    const cases: [unknown, string][] = [
      [{ daily: '6am' }, 'schedule.daily: a time of day as HH:MM, e.g. "06:00"'],
      [{ daily: '24:00' }, 'schedule.daily: a time of day as HH:MM, e.g. "06:00"'],
      [{ hourly: 60 }, 'schedule.hourly: the minute past each hour, 0 to 59'],
      [{ weekly: 'mon', at: '06:00' }, shape],
      [{ every: 'day' }, shape],
      [{ daily: '06:00', timeZone: 'Mars/Olympus' }, 'schedule.timeZone: unknown time zone "Mars/Olympus"'],
      [{ daily: '06:00', timeZone: '+05:30' }, 'schedule.timeZone: unknown time zone "+05:30"'],
    ];
    for (const [bad, message] of cases) assert.throws(() => scheduleOf(bad), { message: `invalid workflow definition: ${message}` }, JSON.stringify(bad));
  });

  it("tells when a schedule next fires, on the schedule's own wall clock", () => {
    // A Wednesday evening in Berlin.
    const after = new Date('2026-12-02T21:30:00Z');
    const cases: [unknown, string | null][] = [
      [{ daily: '06:00', timeZone: 'Europe/Berlin' }, '2026-12-03T05:00:00.000Z'],
      [{ hourly: 15 }, '2026-12-02T22:15:00.000Z'],
      [{ hourly: 30 }, '2026-12-02T22:30:00.000Z'],
      [{ weekly: 'monday', at: '06:00', timeZone: 'America/New_York' }, '2026-12-07T11:00:00.000Z'],
      [{ cron: '*/20 9-17 * * mon-fri' }, '2026-12-03T09:00:00.000Z'],
      // Day of month and day of week both given: either one fires it (the 1st, or a Sunday).
      [{ cron: '0 0 1 * 7' }, '2026-12-06T00:00:00.000Z'],
      [{ cron: '0 0 29 2 *' }, '2028-02-29T00:00:00.000Z'],
      [{ cron: '0 0 31 2 *' }, null],
      [{ cron: '0 0 L * *' }, null],
    ];
    assert.deepEqual(cases.map(([input]) => nextRunAt(scheduleOf(input), after)?.toISOString() ?? null), cases.map(([, next]) => next));
  });
});
