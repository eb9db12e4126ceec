import type { Db, Tx } from '../../core/db.ts';
import type { ObjectCounts } from '../../core/runs/queries.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import type { SourceKind, Sources } from '../../core/records/source.ts';
import type { AttributeDefinition } from '../../core/directory/attributes.ts';
import { resolveMapping } from '../map/mapping.ts';
import type { MappingInput } from '../../core/directory/mapping-input.ts';
import { primaryObject } from '../map/records.ts';
import type { DirectoryObject } from '../map/row-error.ts';
import { mergeDirectory } from './merge-directory.ts';
import type { ObjectChanges } from './merge-queries.ts';
import { removeAbsent, removeOrphans, removeUnnamed, type PresentKeys } from './remove-absent.ts';
import * as runs from './run-queries.ts';
import { stageSources, type Report, type Skipped } from './stage-sources.ts';
import { lockDirectory } from '../../core/directory/lock.ts';
import * as staging from './staging.ts';

export type LoadRequest = {
  directoryId: number;
  /** What fed this run, as shown in its history (e.g. "files"). */
  sourceLabel: string;
  /** Opened inside the run, so a source that cannot be opened fails the run and says why. */
  openSources: () => Promise<Sources>;
  mapping: MappingInput;
  /** When set, the run creates the mailing list `<name> <run id>` holding the contacts it loaded. */
  mailingListName?: string;
  /** The workflow version this load runs for, recorded on its run, and the id reserved for the run. */
  workflow?: { id: number; version: number; runId?: number | undefined };
  /**
   * Complete key lists of some sources (a Salesforce reconcile): after the merge, live rows of that
   * kind missing from its list are marked deleted, counted as deleted and in `removedAbsent`.
   */
  presentKeys?: () => PresentKeys[];
  /**
   * The kinds whose files are full exports: after the merge, live rows of that kind the file did not
   * name are marked deleted, as for a Salesforce reconcile (a file skipped as loaded before names nothing and removes nothing).
   */
  fullExport?: readonly SourceKind[];
  /** Runs in the load's transaction after the merge, so what it writes commits or rolls back with the run (an extract's watermark). */
  beforeCommit?: (tx: Tx, runId: number) => Promise<void>;
};

export type LoadResult = {
  runId: number;
  state: 'succeeded' | 'failed';
  error: { code: string; message: string } | null;
  counts: Partial<Record<DirectoryObject, ObjectCounts>>;
  mailingList: { id: number; name: string; members: number } | null;
  /** Rows marked deleted because a complete key list (`presentKeys`) no longer held them. */
  removedAbsent: Partial<Record<DirectoryObject, number>>;
};

/**
 * Loads one set of sources into a directory as one run: everything is staged with COPY and merged
 * in a single transaction, so the directory either takes the whole run or stays as it was.
 * Rows that fail their checks are recorded with their line and reason; the rest load.
 */
export async function loadDirectory(db: Db, request: LoadRequest): Promise<LoadResult> {
  // Without its directory there is nowhere to record a run, so this one fails before it starts.
  if (!(await runs.directoryExists(db, request.directoryId))) {
    throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${request.directoryId} does not exist`);
  }
  // The session owns the run until the load has recorded how it ended (see runOwnerLock).
  return db.session(async (owner) => {
    const runId = await runs.createRun(owner, request.directoryId, request.sourceLabel, request.workflow);
    try {
      const outcome = await db.tx((tx) => loadInTransaction(tx, runId, request, progressReporter(db, runId)));
      return { runId, state: 'succeeded', error: null, ...outcome };
    } catch (error) {
      const known = isAppError(error) ? error : new AppError(ErrorCode.LOAD_FAILED, `the load failed and nothing was changed: ${(error as Error).message}`, { cause: error });
      // A run whose database went away is recorded once it is back, rather than left running.
      if (known.code === ErrorCode.DATABASE_UNAVAILABLE) await db.reachable(databaseReturnMs);
      await runs.markRunFailed(db, runId, known.code, known.message);
      return { runId, state: 'failed', error: { code: known.code, message: known.message }, counts: {}, mailingList: null, removedAbsent: {} };
    }
  });
}

/**
 * A load that is never kept, for a preview: its run is made inside `tx` and its caller rolls `tx`
 * back. It takes the directory's lock as a load does, for as long as `tx` lasts; nothing outside
 * `tx` sees the run or its progress. Its temporary tables are dropped at the end, so a later load
 * of the same preview can run in `tx` too and see what this one wrote.
 */
export async function previewLoad(tx: Tx, request: LoadRequest): Promise<{ runId: number } & Awaited<ReturnType<typeof loadInTransaction>>> {
  if (!(await runs.directoryExists(tx, request.directoryId))) {
    throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${request.directoryId} does not exist`);
  }
  const runId = await runs.createPreviewRun(tx, request.directoryId, request.sourceLabel);
  const outcome = await loadInTransaction(tx, runId, request, async () => {});
  await runs.dropTemporaryTables(tx);
  return { runId, ...outcome };
}

/** How long a load whose database went away waits for it to return to record its failure (a restart, a failover). */
const databaseReturnMs = 5 * 60_000;

/**
 * Progress is saved at each phase and every 50,000 rows read, a cost too small to measure; a run
 * whose cancellation was asked for stops there, and its transaction rolls back.
 */
function progressReporter(db: Db, runId: number): Report {
  return async (progress) => {
    const { cancelRequested } = await runs.saveProgress(db, runId, progress);
    if (cancelRequested) {
      const where = progress.source ? ` ${progress.source}` : '';
      throw new AppError(ErrorCode.RUN_CANCELLED, `the run was cancelled while ${progress.phase}${where}; nothing was changed`);
    }
  };
}

/** The story of a load, in its transaction: open and check the sources, stage them, merge, save the run's report. */
async function loadInTransaction(tx: Tx, runId: number, request: LoadRequest, report: Report) {
  const { directoryId } = request;
  // Two loads into one directory would each merge against a directory the other is changing.
  await lockDirectory(tx, directoryId);
  const sources = await request.openSources();
  const mapping = resolveMapping(request.mapping, sources);
  if (mapping.accounts) await defineAttributes(tx, directoryId, mapping.accounts.attributes);

  // The merge's hash joins over a million staged rows spill to disk with the default 4 MB.
  await tx.query(`set local work_mem = '64MB'`);
  await tx.query(staging.createStagingSql);
  const read = { rows: 0 };
  const target = { directoryId, everyContact: request.mailingListName !== undefined, fullExport: new Set(request.fullExport ?? []) };
  const { skipped, named } = await stageSources(tx, target, sources, mapping, { read, report });
  await report({ phase: 'checking', rowsRead: read.rows });
  await runs.analyzeStaging(tx);

  await report({ phase: 'merging', rowsRead: read.rows });
  const removedAbsent: Partial<Record<DirectoryObject, number>> = {};
  const removeUnnamedOf = async (kind: SourceKind) => {
    const keys = named.get(kind);
    const removed = keys ? await removeUnnamed(tx, directoryId, runId, kind, keys) : 0;
    if (removed > 0) removedAbsent[primaryObject[kind]] = removed;
  };
  // An owner the team file left out must be gone before the file's own owner takes the account.
  await removeUnnamedOf('teamMembers');
  const changes = await mergeDirectory(tx, directoryId, runId, mapping);

  for (const present of request.presentKeys?.() ?? []) {
    removedAbsent[primaryObject[present.kind]] = await removeAbsent(tx, directoryId, runId, present);
  }
  await removeUnnamedOf('accounts');
  await removeUnnamedOf('contacts');
  const orphans = mapping.accounts ? await removeOrphans(tx, directoryId, runId) : null;

  await report({ phase: 'saving', rowsRead: read.rows });
  const rows = await runs.countRows(tx, runs.errorTables(mapping.accounts !== null, mapping.managementRoles !== null));
  const counts = summarise(changes, skipped, rows);
  for (const [object, n] of Object.entries(removedAbsent) as [DirectoryObject, number][]) {
    if (counts[object]) counts[object].deleted += n;
  }
  // An orphan was counted unchanged by the staging or the merge before its account went.
  for (const [object, n] of Object.entries(orphans ?? {}) as [DirectoryObject, number][]) {
    const count = counts[object];
    if (count) Object.assign(count, { deleted: count.deleted + n, unchanged: Math.max(0, count.unchanged - n) });
  }
  await runs.saveCounts(tx, runId, counts);
  await runs.saveRowErrors(tx, runId, rows.tablesWithErrors);
  const mailingList =
    request.mailingListName && mapping.contacts ? await runs.createMailingList(tx, directoryId, runId, request.mailingListName) : null;
  await request.beforeCommit?.(tx, runId);
  await runs.markRunSucceeded(tx, runId);
  return { counts, mailingList, removedAbsent };
}

/** New attributes are created; a stored one keeps its name and type forever (an Enum may gain values). */
async function defineAttributes(tx: Tx, directoryId: number, wanted: readonly AttributeDefinition[]): Promise<void> {
  const stored = new Map((await runs.storedAttributeDefinitions(tx, directoryId)).map((d) => [d.name, d]));
  for (const definition of wanted) {
    const existing = stored.get(definition.name);
    if (!existing) {
      await runs.insertAttributeDefinition(tx, directoryId, definition);
    } else if (existing.type !== definition.type) {
      throw new AppError(
        ErrorCode.ATTRIBUTE_IMMUTABLE,
        `account attribute "${definition.name}" is stored as ${existing.type} and cannot become ${definition.type}: ` +
          `an attribute's name and type never change once created; map the column to a new attribute name instead`,
      );
    } else if (definition.values) {
      await runs.addEnumValues(tx, directoryId, definition.name, definition.values);
    }
  }
}

/** Counts per object: what the changes did, the rows rejected anywhere, those mapped to SKIP, and the rest unchanged. */
function summarise(
  changes: Partial<Record<DirectoryObject, ObjectChanges>>,
  skipped: Skipped,
  { valid, rejected, skipped: leftOut }: Awaited<ReturnType<typeof runs.countRows>>,
) {
  const counts: Partial<Record<DirectoryObject, ObjectCounts>> = {};
  for (const [object, c] of Object.entries(changes) as [DirectoryObject, ObjectChanges][]) {
    // Client role deletions come from deleted or moved contacts, not from rows of their own.
    const written = object === 'clientRoles' ? c.inserted + c.updated : c.inserted + c.updated + c.deleted;
    counts[object] = {
      inserted: c.inserted,
      updated: c.updated,
      unchanged: valid[object] - written - c.rejected + (skipped[object] ?? 0),
      deleted: c.deleted,
      rejected: rejected[object] ?? 0,
      ...(leftOut[object] ? { skipped: leftOut[object] } : {}),
    };
  }
  return counts;
}
