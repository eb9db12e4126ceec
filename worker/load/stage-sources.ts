import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import type { Tx } from '../../core/db.ts';
import type { RawRecord, RecordSource, SourceKind, Sources } from '../../core/records/source.ts';
import type { Mapping } from '../map/mapping.ts';
import { mapAccount, mapContact, mapManagementRole, primaryObject, unreadableRow, type Mapped } from '../map/records.ts';
import { RowErrorCode, type DirectoryObject, type RowError } from '../map/row-error.ts';
import { KnownRecords } from './known-records.ts';
import type { RunProgress } from './run-queries.ts';
import * as staging from './staging.ts';

/*
 * The first half of a load: every source's records mapped and streamed with COPY into the run's
 * staging tables, with the rows that fail their mapping staged as row errors beside them.
 */

export type Report = (progress: RunProgress) => Promise<void>;

/** Where the staging is: the rows read so far, and where progress goes. */
export type Watch = { read: { rows: number }; report: Report };

export type Skipped = Partial<Record<DirectoryObject, number>>;

/** How one source stages: which mapper, which staging table, which objects an unchanged record counts for. */
type SourcePlan<R> = {
  kind: staging.StagedKind;
  label: string;
  map: (record: RawRecord) => Mapped<R>;
  stage: (row: R, complete: boolean) => staging.StagedRow;
  objects: (row: R) => DirectoryObject[];
  /**
   * Rows staged even when unchanged, because a check ranks them by line against the rows that
   * changed: parent links (a cycle rejects its latest link) and account owners (the first wins).
   */
  ranked: (row: R) => boolean;
};

/**
 * Which directory the run loads, whether it stages every contact (a run that builds a mailing list
 * lists them all), and which kinds come from full exports (whose keys are kept to remove what they leave out).
 */
export type StageTarget = { directoryId: number; everyContact: boolean; fullExport: ReadonlySet<SourceKind> };

/** What staging counted as unchanged, and the keys each full export named. */
export type Staged = { skipped: Skipped; named: Map<SourceKind, KnownRecords> };

/**
 * Stages every source, skipping records stored with the same hash (counted per object in the
 * result), so an unchanged record costs a hash lookup instead of a merge.
 */
export async function stageSources(tx: Tx, target: StageTarget, sources: Sources, mapping: Mapping, watch: Watch): Promise<Staged> {
  const staged: Staged = { skipped: {}, named: new Map() };
  const { accounts, contacts, hierarchy, clientRoles, managementRoles } = mapping;
  if (sources.accounts && accounts) {
    await stageSource(tx, target, sources.accounts, staged, watch, {
      kind: 'accounts', label: 'account',
      map: (record) => mapAccount(record, accounts, hierarchy),
      stage: staging.stageAccount,
      objects: (row) => (row.parentExternalId !== undefined ? ['accounts', 'hierarchy'] : ['accounts']),
      ranked: (row) => !row.isDeleted && Boolean(row.parentExternalId),
    });
  }
  if (sources.contacts && contacts) {
    await stageSource(tx, target, sources.contacts, staged, watch, {
      kind: 'contacts', label: 'contact',
      map: (record) => mapContact(record, contacts, clientRoles),
      stage: staging.stageContact,
      objects: (row) => (!row.isDeleted && row.clientRole?.roleName ? ['contacts', 'clientRoles'] : ['contacts']),
      ranked: () => false,
    });
  }
  if (sources.teamMembers && managementRoles) {
    await stageSource(tx, target, sources.teamMembers, staged, watch, {
      kind: 'teamMembers', label: 'team member',
      map: (record) => mapManagementRole(record, managementRoles),
      stage: staging.stageTeamMember,
      objects: () => ['managementRoles'],
      ranked: (row) => !row.isDeleted && row.roleName === 'ACCOUNT_OWNER',
    });
  }
  return staged;
}

async function stageSource<R>(tx: Tx, target: StageTarget, source: RecordSource, staged: Staged, watch: Watch, plan: SourcePlan<R>): Promise<void> {
  await watch.report({ phase: 'staging', source: source.name, rowsRead: watch.read.rows });
  const sql = staging.knownRecordsSql(plan.kind, target.directoryId);
  const known = await KnownRecords.fetch(tx, sql.count, sql.keys);
  const skipUnchanged = !(plan.kind === 'contacts' && target.everyContact);
  await tx.copyIn(staging.copySql(plan.kind), stageLines(source, plan, known, skipUnchanged, staged.skipped, watch));
  if (target.fullExport.has(plan.kind)) staged.named.set(plan.kind, known);
}

/** Maps a source's records to COPY lines, batched so the stream moves kilobytes, not rows. */
async function* stageLines<R>(
  source: RecordSource,
  plan: SourcePlan<R>,
  known: KnownRecords,
  skipUnchanged: boolean,
  skipped: Skipped,
  watch: Watch,
): AsyncGenerator<string> {
  let batch = '';
  const width = staging.dataColumns(plan.kind);
  const error = (rowError: RowError) => (batch += staging.errorLine(rowError, width));
  try {
    for await (const item of source.items) {
      if (++watch.read.rows % 50_000 === 0) await watch.report({ phase: 'staging', source: source.name, rowsRead: watch.read.rows });
      if (item.kind === 'error') {
        error(unreadableRow(plan.kind, item));
      } else {
        const mapped = plan.map(item);
        if (!mapped.ok) {
          error(mapped.error);
        } else {
          const row = plan.stage(mapped.row, mapped.warnings.length === 0);
          const seen = known.see(row.key, row.line, row.hash);
          if (seen.kind === 'duplicate') {
            error({
              object: primaryObject[plan.kind],
              origin: item.origin,
              recordId: row.key,
              field: null,
              code: RowErrorCode.DUPLICATE_RECORD,
              message: `${plan.label} ${row.key} already appears on line ${seen.firstLine}; this line is skipped`,
            });
          } else if (seen.kind === 'stored' && seen.unchanged && skipUnchanged && !plan.ranked(mapped.row)) {
            for (const object of plan.objects(mapped.row)) skipped[object] = (skipped[object] ?? 0) + 1;
          } else {
            batch += staging.copyRow(row, source.name);
            for (const warning of mapped.warnings) error(warning);
          }
        }
      }
      if (batch.length > 65536) {
        yield batch;
        batch = '';
      }
    }
  } catch (error) {
    if (isAppError(error) && error.code === ErrorCode.RUN_CANCELLED) throw error;
    // Named once: a source that failed while opening its stream has named itself already.
    if (isAppError(error)) throw error.message.startsWith(`${source.name}: `) ? error : new AppError(error.code, `${source.name}: ${error.message}`, { cause: error });
    throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${source.name}: reading failed: ${(error as Error).message}`, { cause: error });
  }
  if (batch) yield batch;
}

