import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { AppError, ErrorCode } from '../errors.ts';
import { previewWaitSeconds, Queue, workflowRunKey, type WorkflowPreviewJob } from '../queues.ts';
import { workflowPreviewSchema, type WorkflowPreview } from './preview.ts';
import type { Workflow } from './queries.ts';
import { cronOf, type Schedule } from './definition.ts';
import type { WorkflowRun } from '../queues.ts';

/** How the API starts workflow runs: now, or on the workflow's schedule. */
export type WorkflowJobs = {
  /** Null when a run of the workflow already waits to start. */
  runNow: (run: WorkflowRun) => Promise<string | null>;
  /** Makes the queue's schedule match the workflow: its current version on its cron, or none when disabled, unscheduled or deleted. */
  syncSchedule: (workflow: Pick<Workflow, 'id' | 'version' | 'enabled'> & { definition?: Workflow['definition'] }) => Promise<void>;
  /** What a run of the definition would do, worked out by a worker (which holds the extracts) and rolled back. */
  preview: (job: WorkflowPreviewJob) => Promise<WorkflowPreview>;
};

/** Workflow runs on pg-boss: one schedule per workflow, keyed by it, and at most one run waiting. */
export function workflowJobs(boss: PgBoss): WorkflowJobs {
  return {
    runNow: (run) => boss.send(Queue.workflowRun, run, { singletonKey: workflowRunKey(run.workflowId) }),
    async syncSchedule(workflow) {
      const key = workflowRunKey(workflow.id);
      const schedule = workflow.enabled ? workflow.definition?.schedule : undefined;
      if (!schedule) return boss.unschedule(Queue.workflowRun, key);
      const run: WorkflowRun = { workflowId: workflow.id, version: workflow.version, scheduled: true };
      await boss.schedule(Queue.workflowRun, cronOf(schedule), run, { tz: schedule.timeZone, key, singletonKey: key });
    },
    preview: (job) => awaitPreview(boss, job),
  };
}

/** Polled rather than pushed: a preview takes seconds, and the web process works no queue it could be told through. */
const previewPollMs = 200;

async function awaitPreview(boss: PgBoss, job: WorkflowPreviewJob): Promise<WorkflowPreview> {
  const id = await boss.send(Queue.workflowPreview, job);
  if (!id) throw new AppError(ErrorCode.INTERNAL, 'the preview was not queued');
  const deadline = Date.now() + previewWaitSeconds * 1000;
  while (Date.now() < deadline) {
    await sleep(previewPollMs);
    const found = await boss.getJobById<WorkflowPreviewJob>(Queue.workflowPreview, id);
    if (found?.state === 'completed') return workflowPreviewSchema.parse(found.output);
    if (found?.state === 'failed' || found?.state === 'cancelled') {
      const reason = (found.output as { message?: string } | null)?.message ?? 'no reason given';
      throw new AppError(ErrorCode.INTERNAL, `the preview failed: ${reason}`);
    }
  }
  await boss.cancel(Queue.workflowPreview, id).catch(() => undefined);
  throw new AppError(ErrorCode.INTERNAL, `no worker made the preview within ${previewWaitSeconds} s: is a worker running?`, { status: 504 });
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

/** A workflow as the API lists it: with when its schedule next starts a run (null when disabled or on demand only). */
export function withNextRun<W extends Pick<Workflow, 'enabled' | 'definition'>>(workflow: W, now: Date): W & { nextRunAt: Date | null } {
  const schedule = workflow.enabled ? workflow.definition.schedule : undefined;
  return { ...workflow, nextRunAt: schedule ? nextRunAt(schedule, now) : null };
}
