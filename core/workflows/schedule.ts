import type { PgBoss } from 'pg-boss';
import { Queue, workflowRunKey } from '../queues.ts';
import type { Workflow } from './queries.ts';
import { cronOf } from './definition.ts';
import type { WorkflowRun } from '../queues.ts';

/** How the API starts workflow runs: now, or on the workflow's schedule. */
export type WorkflowJobs = {
  /** Null when a run of the workflow already waits to start. */
  runNow: (run: WorkflowRun) => Promise<string | null>;
  /** Makes the queue's schedule match the workflow: its current version on its cron, or none when disabled, unscheduled or deleted. */
  syncSchedule: (workflow: Pick<Workflow, 'id' | 'version' | 'enabled'> & { definition?: Workflow['definition'] }) => Promise<void>;
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
  };
}
