// `npm run workflow -- run <id>`: runs a workflow's current version now, in this process, with a
// live progress line, then prints each load's report; exits 1 when a load failed.
import type { Queryable } from '../core/db.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { findWorkflow } from '../core/workflows/queries.ts';
import { runSync, type SyncResult } from '../worker/jobs/run-sync.ts';
import { syncJobsOf } from '../worker/jobs/workflow-jobs.ts';
import { formatRunReport } from '../worker/load/run-report.ts';
import { runCommand } from './command.ts';

const [command, id] = process.argv.slice(2);
if (command !== 'run' || !/^[1-9]\d*$/.test(id ?? '')) {
  console.error('usage: npm run workflow -- run <workflow id>');
  process.exit(2);
}

await runCommand('workflow', async (runtime) => {
  const workflow = await findWorkflow(runtime.db, Number(id));
  console.log(`Running workflow "${workflow.name}" (version ${workflow.version})`);
  for (const job of syncJobsOf(workflow.definition, { id: workflow.id, version: workflow.version })) {
    const result = await withProgress(runtime.db, workflow.id, runSync({ db: runtime.db, secretBox: lazySecretBox(runtime.config) }, job));
    console.log(await formatRunReport(runtime.db, result));
    if (result.state === 'failed') return 1;
  }
  return 0;
});

type Progress = { phase?: string; source?: string; rowsRead?: number };

function progressLine(p: Progress | undefined): string {
  return p?.phase ? `  ${p.phase.padEnd(8)} ${(p.rowsRead ?? 0).toLocaleString('en').padStart(11)} rows read${p.source ? `  (${p.source})` : ''}` : '';
}

/**
 * Shows the running load's phase, file and rows read while `work` runs, and where it ended: one
 * line redrawn on a terminal, a line per change elsewhere.
 */
async function withProgress(db: Queryable, workflowId: number, work: Promise<SyncResult>): Promise<SyncResult> {
  let done = false;
  const finished = work.finally(() => (done = true));
  let last = '';
  const show = (line: string) => {
    if (!line || line === last) return;
    process.stdout.write(process.stdout.isTTY ? `\r${line.padEnd(last.length)}` : `${line}\n`);
    last = line;
  };
  while (!done) {
    const [run] = await db.query<{ progress: Progress }>(
      `select progress from sync_runs where workflow_id = $1 and state = 'running' order by id desc limit 1`,
      [workflowId],
    );
    show(progressLine(run?.progress));
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 250))]);
  }
  const result = await finished;
  const [run] = await db.query<{ progress: Progress }>('select progress from sync_runs where id = $1', [result.runId]);
  show(progressLine(run?.progress));
  if (process.stdout.isTTY && last) process.stdout.write('\n');
  return result;
}
