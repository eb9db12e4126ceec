// `npm run workflow -- run <id>`: runs a workflow's current version now, in this process, with a
// live progress line, then prints each load's report, the survey distributions it scheduled and its write-backs;
// exits 1 when a load failed.
import { PgBoss } from 'pg-boss';
import type { Queryable } from '../core/db.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { findWorkflow } from '../core/workflows/queries.ts';
import type { SyncResult } from '../worker/jobs/run-sync.ts';
import { runWorkflowTasks } from '../worker/jobs/run-workflow.ts';
import { formatRunReport } from '../worker/load/run-report.ts';
import { createQueues } from '../core/queues.ts';
import { Notifications } from '../core/notifications.ts';
import { watchRuns, Wakeup } from '../core/runs/run-changes.ts';
import { runCommand } from './command.ts';

const [command, id] = process.argv.slice(2);
if (command !== 'run' || !/^[1-9]\d*$/.test(id ?? '')) {
  console.error('usage: npm run workflow -- run <workflow id>');
  process.exit(2);
}

await runCommand('workflow', async (runtime) => {
  const { db, config, logger } = runtime;
  const workflow = await findWorkflow(db, Number(id));
  console.log(`Running workflow "${workflow.name}" (version ${workflow.version})`);
  // Distributions go on the job queue: a worker sends them, at their time, exactly once.
  const boss = new PgBoss({ connectionString: runtime.database.url, schema: 'pgboss', supervise: false, schedule: false, application_name: 'bellwether-workflow' });
  boss.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  const notifications = new Notifications(runtime.database.url);
  try {
    await createQueues(boss);
    const { failed } = await runWorkflowTasks(
      { db, secretBox: lazySecretBox(config), maxCsvFieldBytes: config.csvMaxFieldBytes, salesforce: { apiShare: config.salesforceApiShare }, boss, logger, config },
      { workflowId: workflow.id, version: workflow.version, attemptKey: `cli:${crypto.randomUUID()}` },
      {
        watchLoad: (work) => withProgress(db, notifications, workflow.id, work),
        loadFinished: async (result) => console.log(await formatRunReport(db, result)),
        distributionScheduled: (task, scheduled) => {
          if (!scheduled) return;
          const when = scheduled.sendAt.getTime() <= Date.now() ? 'now' : `at ${scheduled.sendAt.toISOString()}`;
          console.log(
            `\nSurvey distribution ${scheduled.id} ("${task.name}"): ${scheduled.recipients} recipients, ${scheduled.skipped} skipped; ` +
              `a worker sends it ${when} (npm start, or the Procfile's worker).`,
          );
        },
        writeBackFinished: (task, report) => {
          const how = report.method === 'bulk' ? `Bulk API 2.0 job ${report.jobId}` : report.method === 'collections' ? 'sObject Collections' : 'nothing to send';
          console.log(
            `\nWrite-back "${task.name}": ${report.changed} of ${report.accounts} accounts changed; ${report.succeeded} written, ${report.failed} refused (${how}), ` +
              `${report.tasksCreated + report.tasksFailed > 0 ? `${report.tasksCreated} detractor Tasks opened, ${report.tasksFailed} refused, ` : ''}${report.apiCalls} API calls${report.error ? `; failed: ${report.error.code}: ${report.error.message}` : ''}`,
          );
        },
      },
    );
    return failed ? 1 : 0;
  } finally {
    await notifications.close();
    await boss.stop({ graceful: false });
  }
});

type Progress = { phase?: string; source?: string; rowsRead?: number };

function progressLine(p: Progress | undefined): string {
  return p?.phase ? `  ${p.phase.padEnd(8)} ${(p.rowsRead ?? 0).toLocaleString('en').padStart(11)} rows read${p.source ? `  (${p.source})` : ''}` : '';
}

/**
 * Shows the running load's phase, file and rows read while `work` runs, and where it ended: one
 * line redrawn on a terminal, a line per change elsewhere. The run is read when it changed.
 */
async function withProgress(db: Queryable, notifications: Notifications, workflowId: number, work: Promise<SyncResult>): Promise<SyncResult> {
  const changed = new Wakeup();
  const stop = await watchRuns(notifications, (change) => {
    if (change === null || change.workflowId === workflowId) changed.wake();
  });
  let done = false;
  const finished = work.finally(() => {
    done = true;
    changed.wake();
  });
  let last = '';
  const show = (line: string) => {
    if (!line || line === last) return;
    process.stdout.write(process.stdout.isTTY ? `\r${line.padEnd(last.length)}` : `${line}\n`);
    last = line;
  };
  try {
    while (!done) {
      const [run] = await db.query<{ progress: Progress }>(
        `select progress from sync_runs where workflow_id = $1 and state = 'running' order by id desc limit 1`,
        [workflowId],
      );
      show(progressLine(run?.progress));
      await changed.next();
    }
  } finally {
    await stop();
  }
  const result = await finished;
  const [run] = await db.query<{ progress: Progress }>('select progress from sync_runs where id = $1', [result.runId]);
  show(progressLine(run?.progress));
  if (process.stdout.isTTY && last) process.stdout.write('\n');
  return result;
}
