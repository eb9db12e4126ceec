import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { AppError, ErrorCode } from '../errors.ts';
import { previewWaitSeconds, Queue, workflowRunKey, type WorkflowPreviewJob } from '../queues.ts';
import { workflowPreviewSchema, type WorkflowPreview } from './preview.ts';
import type { Workflow } from './queries.ts';
import { cronOf, type Schedule } from './definition.ts';
import { nextRunAt } from './next-run.ts';

export { nextRunAt } from './next-run.ts';
import type { WorkflowRun } from '../queues.ts';

/** How the API starts workflow runs: now, or on the workflow's schedule. */
export type WorkflowJobs = {
  /** Null when a run of the workflow already waits to start. */
  runNow: (run: WorkflowRun) => Promise<string | null>;
  /**
   * Refuses a schedule the queue could not run (a cron whose minute is 61), before it is saved: the
   * definition's own check reads five fields, and only the queue's parser knows each field's range.
   */
  checkSchedule: (schedule: Schedule | undefined) => void;
  /** Makes the queue's schedule match the workflow: its current version on its cron, or none when disabled, unscheduled or deleted. */
  syncSchedule: (workflow: Pick<Workflow, 'id' | 'version' | 'enabled'> & { definition?: Workflow['definition'] }) => Promise<void>;
  /** What a run of the definition would do, worked out by a worker (which holds the extracts) and rolled back. */
  preview: (job: WorkflowPreviewJob) => Promise<WorkflowPreview>;
};

/** Workflow runs on pg-boss: one schedule per workflow, keyed by it, and at most one run waiting. */
export function workflowJobs(boss: PgBoss): WorkflowJobs {
  return {
    runNow: (run) => boss.send(Queue.workflowRun, run, { singletonKey: workflowRunKey(run.workflowId) }),
    checkSchedule(schedule) {
      if (!schedule) return;
      const cron = cronOf(schedule);
      // The cron on its own first, then in its zone: each refusal names the field at fault.
      const refuse = (tz: string, path: string, what: string) => {
        try {
          boss.previewSchedule(cron, { tz, from: new Date(), count: 1 });
        } catch (error) {
          throw new AppError(ErrorCode.BAD_REQUEST, `invalid workflow definition: ${path}: the scheduler cannot read ${what}: ${(error as Error).message}`, { cause: error });
        }
      };
      refuse('UTC', 'cron' in schedule ? 'schedule.cron' : 'schedule', `"${cron}"`);
      refuse(schedule.timeZone, 'schedule.timeZone', `the time zone "${schedule.timeZone}"`);
    },
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

/** A workflow as the API lists it: with when its schedule next starts a run (null when disabled or on demand only). */
export function withNextRun<W extends Pick<Workflow, 'enabled' | 'definition'>>(workflow: W, now: Date): W & { nextRunAt: Date | null } {
  const schedule = workflow.enabled ? workflow.definition.schedule : undefined;
  return { ...workflow, nextRunAt: schedule ? nextRunAt(schedule, now) : null };
}
