import type { Queryable } from '../../core/db.ts';
import { findRun } from '../../core/runs/queries.ts';
import { DirectoryObject } from '../map/row-error.ts';
import type { SyncResult } from '../jobs/run-sync.ts';

const shownErrors = 20;

/** A run's outcome as a person reads it in a terminal: counts per object, then the first row errors. */
export async function formatRunReport(db: Queryable, result: SyncResult): Promise<string> {
  const calls = result.apiCalls === null ? '' : `\nSalesforce API calls: ${result.apiCalls}.`;
  if (result.state === 'failed') {
    return `Run ${result.runId} failed; the directory is unchanged.\n${result.error?.code}: ${result.error?.message}${calls}`;
  }
  const lines = [`Run ${result.runId} succeeded.`, ''];
  const header = ['object', 'inserted', 'updated', 'unchanged', 'deleted', 'rejected'];
  const rows = Object.values(DirectoryObject)
    .filter((o) => result.counts[o])
    .map((o) => {
      const c = result.counts[o]!;
      return [o, c.inserted, c.updated, c.unchanged, c.deleted, c.rejected].map(String);
    });
  for (const row of [header, ...rows]) lines.push(row.map((cell, i) => (i === 0 ? cell.padEnd(16) : cell.padStart(10))).join(''));
  if (result.mailingList) lines.push('', `Mailing list "${result.mailingList.name}" holds ${result.mailingList.members} contacts.`);
  if (result.salesforcePlans.length > 0) {
    lines.push('');
    for (const p of result.salesforcePlans) {
      const how = p.method === 'none' ? 'nothing changed' : `${p.method === 'bulk' ? 'Bulk API 2.0' : 'REST query'}${p.estimate === null ? '' : `, ${p.estimate} changed`}`;
      lines.push(`${p.object}: ${p.since ? `changes since ${p.since.toISOString()}` : 'every record'} (${how})`);
    }
  }
  const removed = Object.entries(result.removedAbsent).map(([object, n]) => `${n} ${object}`);
  if (removed.length > 0 && result.salesforcePlans.length > 0) lines.push(`Reconciled with the org's Ids: removed ${removed.join(', ')} it no longer has or no longer lists.`);
  else if (removed.length > 0) lines.push('', `Full export: removed ${removed.join(', ')} the files no longer hold.`);
  if (result.salesforcePlans.length > 0) lines.push(calls.trim());
  if (result.filesLoadedBefore.length > 0) {
    lines.push('', 'Left out, loaded before into this directory (the same name, size and time; --force, or "force": true on a workflow\'s SFTP extract, loads them again):', ...result.filesLoadedBefore.map((f) => `  ${f}`));
  }

  const run = await findRun(db, String(result.runId), { limit: shownErrors, offset: 0 });
  const total = run?.errorCount ?? 0;
  if (run && total > 0) {
    lines.push('', `${total} row ${total === 1 ? 'error' : 'errors'}:`);
    for (const e of run.errors) lines.push(`  ${e.source} line ${e.line} (${e.object}${e.field ? `, ${e.field}` : ''}): ${e.message}`);
    if (total > run.errors.length) lines.push(`  ... and ${total - run.errors.length} more: GET /api/runs/${result.runId}`);
  }
  return lines.join('\n');
}
