import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import type { Tx } from '../../core/db.ts';
import type { WorkflowPreviewJob } from '../../core/queues.ts';
import { findRun } from '../../core/runs/queries.ts';
import { previewRowErrors, type LoadPreview, type WorkflowPreview } from '../../core/workflows/preview.ts';
import { distributionOf, type DistributeTask } from '../distribute/schedule-distribution.ts';
import { insertDistribution } from '../../core/surveys/create-distribution.ts';
import { openExtract } from '../extract/open-extract.ts';
import { previewLoad } from '../load/load-directory.ts';
import type { SyncDeps } from './sync-job.ts';
import { syncJobsOf } from './workflow-jobs.ts';

/** Thrown at the end of a preview so its transaction rolls back whatever happened. */
class Discard extends Error {}

/**
 * A dry run of a workflow definition: its loads in order, in one transaction that is always rolled
 * back, so the directory, the watermarks, the mailing lists and the distributions stay as they were
 * and no mail is queued. Each load takes its directory's lock as a run does. The extracts read their
 * sources as a run would, but do nothing after it (no file is remembered or archived).
 */
export async function previewWorkflow(deps: SyncDeps & { importDir: string; mailFrom: string }, job: WorkflowPreviewJob): Promise<WorkflowPreview> {
  const { definition } = job;
  const loadTasks = definition.tasks.filter((t) => t.type === 'load');
  // The workflow a sync job names is recorded on its run; a preview's run is never kept, so none is given to the load.
  const syncs = syncJobsOf(definition, { id: job.workflowId ?? 0, version: 0 }, deps.importDir);
  const loads: LoadPreview[] = [];
  await deps.db
    .tx(async (tx) => {
      for (const [i, sync] of syncs.entries()) {
        const task = loadTasks[i]!;
        const distributes = definition.tasks.filter((t): t is DistributeTask => t.type === 'distribute' && t.load === task.name);
        const preview = await previewOne(tx, deps, { task: task.name, sync, distributes, workflowId: job.workflowId });
        loads.push(preview);
        // A run stops at a failed load: the later ones would read what it did not write.
        if (preview.state === 'failed') break;
      }
      throw new Discard();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Discard)) throw error;
    });
  return { loads };
}

async function previewOne(
  tx: Tx,
  deps: SyncDeps & { mailFrom: string },
  { task, sync, distributes, workflowId }: { task: string; sync: ReturnType<typeof syncJobsOf>[number]; distributes: DistributeTask[]; workflowId: number | null },
): Promise<LoadPreview> {
  const extract = openExtract(deps, sync);
  // A failed load leaves the transaction unusable: the savepoint lets the preview say why and end.
  await tx.query('savepoint preview_load');
  try {
    const loaded = await previewLoad(tx, {
      directoryId: sync.directoryId,
      sourceLabel: extract.label,
      openSources: extract.sources,
      mapping: typeof sync.mapping === 'object' ? sync.mapping : {},
      ...(sync.mailingListName ? { mailingListName: sync.mailingListName } : {}),
      ...(extract.presentKeys ? { presentKeys: extract.presentKeys } : {}),
      ...(extract.beforeCommit ? { beforeCommit: extract.beforeCommit } : {}),
    });
    const run = (await findRun(tx, String(loaded.runId), { limit: previewRowErrors, offset: 0 }))!;
    const distributions = [];
    for (const distribute of distributes) {
      if (!loaded.mailingList) continue;
      // Without a source key the insert always makes one.
      const made = (await insertDistribution(tx, distributionOf({ task: distribute, directoryId: sync.directoryId, mailingListId: loaded.mailingList.id, workflowId, mailFrom: deps.mailFrom })))!;
      distributions.push({ task: distribute.name, surveyId: distribute.surveyId, invited: made.recipients - made.skipped, skipped: made.skipped });
    }
    return {
      task,
      directoryId: sync.directoryId,
      state: 'succeeded',
      error: null,
      counts: run.counts,
      errorCount: run.errorCount,
      errors: run.errors,
      unmappedValues: await unmappedValues(tx, loaded.runId),
      mailingListMembers: loaded.mailingList?.members ?? null,
      distributions,
    };
  } catch (error) {
    await tx.query('rollback to savepoint preview_load');
    const known = isAppError(error) ? error : new AppError(ErrorCode.LOAD_FAILED, `the load failed: ${(error as Error).message}`, { cause: error });
    return { task, directoryId: sync.directoryId, state: 'failed', error: { code: known.code, message: known.message }, counts: {}, errorCount: 0, errors: [], unmappedValues: [], mailingListMembers: null, distributions: [] };
  }
}

/**
 * The role values no value mapping names, with how many rows hold each: read back from the run's
 * UNMAPPED_ROLE errors, whose message quotes the value.
 */
async function unmappedValues(tx: Tx, runId: number): Promise<LoadPreview['unmappedValues']> {
  return tx.query<LoadPreview['unmappedValues'][number]>(
    `select object, field, substring(message from '^\\S+ "(.*)" has no ') as value, count(*)::int as rows
     from sync_run_errors where run_id = $1 and code = 'UNMAPPED_ROLE'
     group by 1, 2, 3 order by 1, 4 desc, 3`,
    [runId],
  );
}
