import type { Tx } from '../../core/db.ts';
import type { Sources } from '../../core/records/source.ts';
import type { PresentKeys } from '../load/remove-absent.ts';
import type { ObjectPlan } from './salesforce/salesforce-extract.ts';

/** What an extract did, for the run's report: read once the load has ended, whether it succeeded or not. */
export type ExtractReport = {
  /** Files left out because the very same file (path, size, time) was loaded before. */
  filesLoadedBefore: string[];
  /** Salesforce API calls the extract made (stored with the run); null when it read files. */
  apiCalls: number | null;
  /** How each Salesforce object was extracted: Bulk or REST, full or since when. */
  salesforcePlans: ObjectPlan[];
};

/**
 * The one shape every source (local files, SFTP, Salesforce) takes: what the run is labelled, its
 * record sources (opened inside the run, so a source that cannot be opened fails the run and says
 * why), what it writes in the load's transaction, what it does once the load committed, and its report.
 */
export type Extract = {
  label: string;
  sources: () => Promise<Sources>;
  /** Complete key lists of some objects (a Salesforce reconcile): the load removes what they no longer hold. */
  presentKeys?: () => PresentKeys[];
  /** In the load's transaction, after the merge: commits or rolls back with the run (a watermark). */
  beforeCommit?: (tx: Tx, runId: number) => Promise<void>;
  /** After the load committed (remembering and archiving the files read). */
  afterCommit?: (runId: number) => Promise<void>;
  report: () => ExtractReport;
};

export const emptyReport: ExtractReport = Object.freeze({ filesLoadedBefore: [], apiCalls: null, salesforcePlans: [] });
