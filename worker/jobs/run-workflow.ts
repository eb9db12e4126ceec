import type { PgBoss } from 'pg-boss';
import type { Config } from '../../core/config.ts';
import { ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Mailer } from '../../core/mail.ts';
import { failLostRuns, findRun } from '../../core/runs/queries.ts';
import type { WorkflowDefinition } from '../../core/workflows/definition.ts';
import { findWorkflow, findWorkflowVersion } from '../../core/workflows/queries.ts';
import { scheduleDistribution, type DistributeTask, type ScheduledDistribution } from '../distribute/schedule-distribution.ts';
import { notifyRunFailed } from '../notify/run-failed.ts';
import { runSync, type SyncResult } from './run-sync.ts';
import type { SyncDeps } from './sync-job.ts';
import { syncJobsOf } from './workflow-jobs.ts';
import { workflowRunRetries, workflowRunSchema } from '../../core/queues.ts';
import type { WriteBackTask } from '../../core/workflows/write-back.ts';
import type { WriteBackReport } from '../writeback/queries.ts';
import type { SendTuning } from '../writeback/send-updates.ts';
import { writeBack } from '../writeback/write-back.ts';

/** Failures worth another try later; the rest (a missing column, a wrong host key) would fail again. */
const transient = new Set<string>([ErrorCode.LOAD_FAILED, ErrorCode.SOURCE_DISCONNECTED, ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SALESFORCE_UNAVAILABLE, ErrorCode.SALESFORCE_BUDGET, ErrorCode.DATABASE_UNAVAILABLE]);

export type WorkflowRunDeps = SyncDeps & { boss: PgBoss; logger: Logger; config: Pick<Config, 'mailFrom' | 'publicUrl' | 'importDir'>; mailer: Mailer; writeBack?: Partial<SendTuning> };

/** What a caller may watch while a workflow's tasks run (the CLI shows them). */
export type WorkflowRunHooks = {
  /** Wraps each load as it starts, e.g. to show its progress. */
  watchLoad?: (work: Promise<SyncResult>) => Promise<SyncResult>;
  loadFinished?: (result: SyncResult) => Promise<void>;
  /** Null when an earlier attempt of the same job already made that distribution. */
  distributionScheduled?: (task: DistributeTask, scheduled: ScheduledDistribution | null) => void;
  writeBackFinished?: (task: WriteBackTask, report: WriteBackReport) => void;
};

/**
 * A workflow version's tasks: its loads in order, each followed by the distributions that read its
 * mailing list and the write-backs of its accounts' figures to Salesforce. Stops at a failed load (a later load reads what an earlier one wrote) and answers
 * it. `attemptKey` is the same on every attempt of one run, so a retried run never invites the
 * same contacts twice.
 */
export async function runWorkflowTasks(
  deps: Omit<WorkflowRunDeps, 'mailer'>,
  run: { workflowId: number; version: number; attemptKey: string; runId?: number | undefined },
  hooks: WorkflowRunHooks = {},
): Promise<{ failed: SyncResult | null; definition: WorkflowDefinition }> {
  const { db, logger } = deps;
  const { workflowId, version } = run;
  const definition = await findWorkflowVersion(db, workflowId, version);
  const loads = definition.tasks.filter((t) => t.type === 'load');
  const syncs = syncJobsOf(definition, { id: workflowId, version }, deps.config.importDir);
  // The first load takes the run id the API answered, so whoever asked can follow it.
  if (run.runId !== undefined && syncs[0]) syncs[0] = { ...syncs[0], workflow: { id: workflowId, version, runId: run.runId } };
  for (const [i, sync] of syncs.entries()) {
    const work = runSync(deps, sync);
    const result = await (hooks.watchLoad ? hooks.watchLoad(work) : work);
    logger.info({ workflowId, version, runId: result.runId, state: result.state, error: result.error }, 'workflow load finished');
    await hooks.loadFinished?.(result);
    if (result.state === 'failed') return { failed: result, definition };
    const distributes = definition.tasks.filter((t): t is DistributeTask => t.type === 'distribute' && t.load === loads[i]?.name);
    for (const task of distributes) {
      if (!result.mailingList) continue;
      const scheduled = await scheduleDistribution(db, deps.boss, {
        task, directoryId: sync.directoryId, mailingListId: result.mailingList.id, workflowId, mailFrom: deps.config.mailFrom, sourceKey: `${run.attemptKey}:${task.name}`,
      });
      hooks.distributionScheduled?.(task, scheduled);
      if (!scheduled) logger.info({ workflowId, task: task.name }, 'survey distribution already scheduled by an earlier attempt');
      else logger.info({ workflowId, task: task.name, distributionId: scheduled.id, recipients: scheduled.recipients, skipped: scheduled.skipped, sendAt: scheduled.sendAt }, 'survey distribution scheduled');
    }
    for (const task of definition.tasks.filter((t): t is WriteBackTask => t.type === 'writeBack' && t.load === loads[i]?.name)) {
      const report = await writeBack(deps, task, result.runId);
      hooks.writeBackFinished?.(task, report);
      logger.info({ workflowId, runId: result.runId, ...report }, 'write-back finished');
    }
  }
  return { failed: null, definition };
}

/**
 * One attempt at a workflow-run job. Throws when the job should be tried again; a run that
 * failed for good is reported to the workflow's notify addresses.
 */
export async function runWorkflow(deps: WorkflowRunDeps, job: { id: string; data: unknown; retryCount: number }): Promise<void> {
  const { db, logger } = deps;
  const { workflowId, version, runId, scheduled } = workflowRunSchema.parse(job.data);
  if (scheduled && !(await stillScheduled(deps, workflowId))) {
    logger.info({ jobId: job.id, workflowId, version }, 'scheduled run skipped: the workflow was disabled or deleted since the schedule fired');
    return;
  }
  // A retry after a worker died finds that worker's run still marked running; its load was rolled back.
  const abandoned = await failLostRuns(db);
  if (abandoned.length > 0) logger.warn({ jobId: job.id, workflowId, runIds: abandoned }, 'runs of a lost worker marked failed');
  const attempt = job.retryCount + 1;
  logger.info({ jobId: job.id, workflowId, version, attempt }, 'workflow run started');
  const { failed, definition } = await runWorkflowTasks(deps, { workflowId, version, attemptKey: `workflow-run:${job.id}`, runId });
  if (!failed) return;
  // A failure that may pass (a server down, a connection dropped) fails the job, so pg-boss retries it.
  const passing = failed.error != null && transient.has(failed.error.code);
  const retried = passing && job.retryCount < workflowRunRetries;
  if (!retried && definition.notify) await notify(deps, definition.notify.onFailure, { workflowId, version, attempt }, failed);
  if (passing) throw new Error(`run ${failed.runId}: ${failed.error!.code}: ${failed.error!.message}`);
}

/** Whether the workflow is still there and enabled: unscheduling cannot take back a run the cron already enqueued. */
async function stillScheduled(deps: WorkflowRunDeps, workflowId: number): Promise<boolean> {
  const [row] = await deps.db.query<{ enabled: boolean }>('select enabled from workflows where id = $1', [workflowId]);
  return row?.enabled === true;
}

/** A notice that cannot be sent is logged: it never changes the run's outcome. */
async function notify(deps: WorkflowRunDeps, to: string[], at: { workflowId: number; version: number; attempt: number }, result: SyncResult): Promise<void> {
  try {
    const [workflow, run] = await Promise.all([findWorkflow(deps.db, at.workflowId), findRun(deps.db, String(result.runId), { limit: 0, offset: 0 })]);
    await notifyRunFailed(deps.mailer, { to, from: deps.config.mailFrom, publicUrl: deps.config.publicUrl, attempts: at.attempt }, {
      ...run!,
      workflow: { id: at.workflowId, name: workflow.name, version: at.version },
    });
    deps.logger.info({ workflowId: at.workflowId, runId: result.runId, to }, 'failed run notice sent');
  } catch (error) {
    deps.logger.error({ err: error, workflowId: at.workflowId, runId: result.runId }, 'failed run notice not sent');
  }
}
