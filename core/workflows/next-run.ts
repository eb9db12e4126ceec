// When a schedule fires, read without the queue: the API lists the next run, the console's builder
// shows the next three. No runtime import beyond this file, so the console bundles it as it is.
import type { Schedule } from './definition.ts';

export const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** The cron a schedule stands for. */
export function cronOf(s: Schedule): string {
  const at = (time: string) => time.split(':').map(Number) as [number, number];
  if ('cron' in s) return s.cron;
  if ('hourly' in s) return `${s.hourly} * * * *`;
  if ('daily' in s) {
    const [hour, minute] = at(s.daily);
    return `${minute} ${hour} * * *`;
  }
  const [hour, minute] = at(s.at);
  return `${minute} ${hour} * * ${weekdays.indexOf(s.weekly)}`;
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The values one cron field allows (`*`, `5`, `1-5`, `*\/15`, `mon-fri`, lists of these); null for a form it does not know. */
function cronField(field: string, min: number, max: number, names: string[] = [], nameBase = 0): Set<number> | null {
  const value = (text: string) => {
    const named = names.indexOf(text.toLowerCase());
    return named >= 0 ? named + nameBase : /^\d+$/.test(text) ? Number(text) : NaN;
  };
  const allowed = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\w+)(?:-(\w+))?(?:\/(\d+))?$/.exec(part);
    if (!match) return null;
    const [, start, end, step] = match;
    const from = start === '*' ? min : value(start!);
    const to = end !== undefined ? value(end) : start === '*' || step !== undefined ? max : from;
    const by = step === undefined ? 1 : Number(step);
    if (!(from >= min && to <= max && from <= to && by >= 1)) return null;
    for (let v = from; v <= to; v += by) allowed.add(v);
  }
  return allowed;
}

/** The wall clock in `timeZone` at `at`. */
function wallClock(format: Intl.DateTimeFormat, at: Date) {
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { month: Number(parts.month), day: Number(parts.day), weekday: dayNames.indexOf(parts.weekday!.toLowerCase().slice(0, 3)), hour: Number(parts.hour), minute: Number(parts.minute) };
}

/**
 * When a schedule next fires after `after`, read on the schedule's wall clock as the queue's cron
 * does (day of month and day of week both restricted: either matches). Null for a cron form this
 * does not read (the queue may still know it) or one that never fires within four years.
 */
export function nextRunAt(schedule: Schedule, after: Date): Date | null {
  const [minutes, hours, days, months, weekdays] = cronOf(schedule).split(' ') as [string, string, string, string, string];
  const fields = {
    minute: cronField(minutes, 0, 59), hour: cronField(hours, 0, 23), day: cronField(days, 1, 31),
    month: cronField(months, 1, 12, monthNames, 1), weekday: cronField(weekdays.replace(/\b7\b/g, '0'), 0, 6, dayNames),
  };
  if (Object.values(fields).some((f) => f === null)) return null;
  const { minute, hour, day, month, weekday } = fields as { [K in keyof typeof fields]: Set<number> };
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: schedule.timeZone, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric',
  });
  const minuteMs = 60_000;
  let at = Math.floor(after.getTime() / minuteMs) * minuteMs + minuteMs;
  // Whole days, then hours, then minutes are skipped: a few thousand steps cover four years.
  for (let step = 0; step < 10_000; step++) {
    const clock = wallClock(format, new Date(at));
    const dayMatches = days === '*' || weekdays === '*' ? day.has(clock.day) && weekday.has(clock.weekday) : day.has(clock.day) || weekday.has(clock.weekday);
    if (!month.has(clock.month) || !dayMatches) at += ((23 - clock.hour) * 60 + 60 - clock.minute) * minuteMs;
    else if (!hour.has(clock.hour)) at += (60 - clock.minute) * minuteMs;
    else if (!minute.has(clock.minute)) at += minuteMs;
    else return new Date(at);
  }
  return null;
}

