import { z } from 'zod';
import { findSalesforceCredentials } from '../../../core/connections/salesforce.ts';
import type { Queryable, Tx } from '../../../core/db.ts';
import { AppError, ErrorCode } from '../../../core/errors.ts';
import type { SecretBox } from '../../../core/secret-box.ts';
import { SourceKind, type SourceItem, type Sources } from '../../../core/records/source.ts';
import { defaultResilience, SalesforceApi, type ApiUsage, type Resilience } from './api.ts';
import { checkFields, salesforceObjectOptions, salesforceObjects, selectList, type DescribedField } from '../../../core/connections/salesforce-objects.ts';
import { bulkQuery, countSince, openBulkJob, parseStamp, restQuery, type QueryTuning } from './query.ts';
import { fieldTexts, sameTexts, type FieldText } from './field-texts.ts';
import { countRun, findWatermark, saveWatermark, type Watermark } from './watermarks.ts';
import type { PresentKeys } from '../../load/remove-absent.ts';
import type { SyncDeps } from '../../jobs/sync-job.ts';
import { emptyReport, type Extract } from '../extract.ts';

/** One Salesforce extract: which objects of which connected org, each with its options. */
export const salesforceExtractSchema = z.strictObject({
  connectionId: z.number().int().positive(),
  objects: z.strictObject({ accounts: salesforceObjectOptions.optional(), contacts: salesforceObjectOptions.optional(), teamMembers: salesforceObjectOptions.optional() }),
  /** Reconcile every object this run, whether or not one is due (see `reconcileEvery`). */
  reconcile: z.boolean().optional(),
});
export type SalesforceExtract = z.infer<typeof salesforceExtractSchema>;

export type SalesforceTuning = QueryTuning & {
  /**
   * An incremental extract of more records than this uses a Bulk API 2.0 job, fewer use REST query
   * pages. REST costs a call per 2,000 records and starts at once; a Bulk job costs about four calls
   * (open, poll, a result page per `bulkPageSize` records) and a few seconds of waiting. At 10,000
   * records REST takes five calls, where Bulk's cost has stopped growing: above it, Bulk wins.
   */
  bulkThreshold: number;
  /**
   * An incremental extract reads from this long before the watermark, so a record whose
   * transaction committed late, with a SystemModstamp older than records already read, is not
   * missed; what it reads again is unchanged and skipped by the load.
   */
  overlapMs: number;
  /**
   * Every this many runs an object is reconciled: its Ids alone are read by a Bulk job (a few calls)
   * and the directory's records of it that Salesforce no longer has (hard deleted, purged from the
   * recycle bin) or that left its list view are removed.
   */
  reconcileEvery: number;
  /** At most this many Ids per result page of a reconcile: Ids are narrow, so a page holds many more than `bulkPageSize`. */
  reconcilePageSize: number;
  /** The share of the org's remaining daily API requests a run may take (SALESFORCE_API_SHARE). */
  apiShare: number;
  /** How a full extract reads: Bulk API 2.0 (the product), or REST query pages (bench:salesforce's baseline). */
  fullExtract: 'bulk' | 'rest';
  resilience: Resilience;
};

export const defaultTuning: SalesforceTuning = { bulkThreshold: 10_000, bulkPageSize: 100_000, bulkPageBytes: 50_000_000, bulkJobAttempts: 3, overlapMs: 10 * 60_000, reconcileEvery: 7, reconcilePageSize: 2_000_000, apiShare: 0.25, pollIntervalMs: 1000, fullExtract: 'bulk', resilience: defaultResilience };

/** How one object is extracted this run, as shown in the run's report. */
export type ObjectPlan = {
  kind: SourceKind;
  object: string;
  fields: string[];
  listView: string | null;
  /** bulk: a Bulk API 2.0 job; rest: REST query pages; none: the count said nothing changed. */
  method: 'bulk' | 'rest' | 'none';
  /** Null on a full extract; else the watermark it continues from. */
  since: Date | null;
  /** On an incremental extract, Salesforce's count of records to read again (the overlap window's included); 0 when nothing changed. */
  estimate: number | null;
  /** Records read (deleted ones included). */
  records: number;
  /** The watermark to save, once the source has been read to its end: the newest SystemModstamp read, or the one before. */
  newest: Date | null;
  /** Records read within the overlap window before `newest`. */
  windowCount: number;
  /** Whether the object's Ids are read whole this run, for the load to remove the records Salesforce no longer has. */
  reconcile: boolean;
};

/**
 * Objects of a connected Salesforce org: planned and opened in the run, their watermarks saved in
 * its transaction. API calls are counted from the first, so a failed run reports what it spent.
 */
export function salesforceExtract(deps: SyncDeps, extract: SalesforceExtract, directoryId: number): Extract {
  const usage: ApiUsage = { calls: 0 };
  let opened: OpenedSalesforceExtract | undefined;
  return {
    label: `salesforce:${extract.connectionId}`,
    sources: async () => {
      opened = await openSalesforceExtract(deps.db, await deps.secretBox(), extract, directoryId, usage, { ...defaultTuning, ...deps.salesforce, ...(deps.maxCsvFieldBytes === undefined ? {} : { maxFieldBytes: deps.maxCsvFieldBytes }) });
      return opened.sources;
    },
    presentKeys: () => opened?.presentKeys ?? [],
    beforeCommit: async (tx, runId) => opened?.saveWatermarks(tx, runId),
    report: () => ({ ...emptyReport, apiCalls: usage.calls, salesforcePlans: opened?.plans ?? [] }),
  };
}

type OpenedSalesforceExtract = {
  sources: Sources;
  plans: ObjectPlan[];
  /** Each reconciled object's Ids, as the load keys its rows. */
  presentKeys: PresentKeys[];
  /** In the load's transaction: moves each object's watermark to the newest record this run read. */
  saveWatermarks: (tx: Tx, runId: number) => Promise<void>;
};

/**
 * Checks each object's fields against its describe, reads its list view's filter, and picks how
 * to extract it: everything through a Bulk API 2.0 job the first time (or on a full resync, or
 * after its fields or list view changed), else only what changed since the watermark (deleted
 * records included), by REST or Bulk depending on Salesforce's count. Bulk jobs are opened here,
 * so Salesforce works on all of them while the loader reads the first.
 */
async function openSalesforceExtract(
  db: Queryable,
  box: SecretBox,
  extract: SalesforceExtract,
  directoryId: number,
  usage: ApiUsage,
  tuning: SalesforceTuning = defaultTuning,
): Promise<OpenedSalesforceExtract> {
  const credentials = await findSalesforceCredentials(db, box, extract.connectionId);
  const api = new SalesforceApi(credentials, usage, tuning.resilience, tuning.apiShare);
  const plans: (ObjectPlan & { soql: string; idsSoql: string; texts: Map<string, FieldText> })[] = [];
  const describes = new Map<string, Promise<DescribedField[]>>();
  const describe = (object: string) => {
    if (!describes.has(object)) describes.set(object, api.json<{ fields: DescribedField[] }>('GET', `/sobjects/${object}/describe`).then((d) => d.fields));
    return describes.get(object)!;
  };
  for (const kind of Object.values(SourceKind)) {
    const options = extract.objects[kind];
    if (!options) continue;
    const { object } = salesforceObjects[kind];
    const fields = selectList(kind, options.fields);
    const described = await describe(object);
    checkFields(object, fields, described);
    const texts = await fieldTexts(kind, fields, described, describe);
    const filter = options.listView ? await listViewFilter(api, object, options.listView) : null;
    const stored = await findWatermark(db, extract.connectionId, directoryId, object);
    const sameShape = stored !== null && sameSet(stored.fields, fields) && stored.listView === (options.listView ?? null);
    const since = !options.fullResync && sameShape ? stored.systemModstamp : null;
    const from = since ? new Date(since.getTime() - tuning.overlapMs) : null;
    const conditions = [...(filter ? [`(${filter})`] : []), ...(from ? [`SystemModstamp > ${from.toISOString()}`] : [])];
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const soql = `SELECT ${fields.join(', ')} FROM ${object}${where}`;
    const estimate = since ? await changedSince(api, object, where, stored!) : null;
    const method = estimate === null ? tuning.fullExtract : estimate > tuning.bulkThreshold ? 'bulk' : estimate === 0 ? 'none' : 'rest';
    const reconcile = extract.reconcile === true || (stored !== null && stored.runsSinceReconcile + 1 >= tuning.reconcileEvery);
    const idsSoql = `SELECT ${reconcileKeys[kind].fields.join(', ')} FROM ${object}${filter ? ` WHERE ${filter}` : ''}`;
    plans.push({ kind, object, fields, listView: options.listView ?? null, method, since, estimate, records: 0, newest: null, windowCount: 0, reconcile, soql, idsSoql, texts });
  }
  const reconciles = plans.filter((plan) => plan.reconcile).length;
  api.budget.check(usage.calls, plans.reduce((sum, plan) => sum + plannedCalls(plan, tuning), 0) + 3 * reconciles);
  const sources: Sources = {};
  const presentKeys: PresentKeys[] = [];
  for (const plan of plans) {
    const { kind, object, fields, method, soql, idsSoql, texts } = plan;
    if (plan.reconcile) {
      // A plain query, not queryAll: records in the recycle bin are deleted for the directory too.
      const ids = { id: await openBulkJob(api, idsSoql, 'query'), reopen: () => openBulkJob(api, idsSoql, 'query') };
      const columns = reconcileKeys[kind].fields.length;
      presentKeys.push({ kind, keys: keysOf(object, kind, bulkQuery(api, object, columns, ids, { ...tuning, bulkPageSize: tuning.reconcilePageSize }, idBytes)) });
    }
    const job = method === 'bulk' ? { id: await openBulkJob(api, soql, 'queryAll'), reopen: () => openBulkJob(api, soql, 'queryAll') } : null;
    const records =
      method === 'bulk' ? bulkQuery(api, object, fields.length, job!, tuning) : method === 'rest' ? restQuery(api, object, fields, soql) : nothing();
    sources[kind] = { name: object, columns: fields, items: tracked(plan, sameTexts(records, texts), tuning.overlapMs) };
  }
  return {
    sources,
    plans,
    presentKeys,
    saveWatermarks: async (tx, runId) => {
      for (const plan of plans) {
        if (plan.newest) {
          const { object, fields, listView, newest, windowCount } = plan;
          await saveWatermark(tx, { connectionId: extract.connectionId, directoryId, object, fields, listView, systemModstamp: newest, windowCount, runId });
        }
      }
      const objects = plans.map((plan) => plan.object);
      await countRun(tx, { connectionId: extract.connectionId, directoryId, objects, reconciled: plans.filter((plan) => plan.reconcile).map((plan) => plan.object) });
    },
  };
}

async function* nothing(): AsyncGenerator<SourceItem> {}

/** What a reconcile reads of each object: the fields that make the directory's key, and the key. */
const reconcileKeys: Record<SourceKind, { fields: string[]; key: (values: Record<string, string>) => string }> = {
  accounts: { fields: ['Id'], key: (v) => v.Id! },
  contacts: { fields: ['Id'], key: (v) => v.Id! },
  teamMembers: { fields: ['Account.Id', 'User.Email'], key: (v) => `${v['Account.Id']}/${v['User.Email']!.trim().toLowerCase()}` },
};

/** The first result page of Ids guesses this many bytes a column (an Id is 18 characters, quoted). */
const idBytes = 25;

/** An object's keys from its Ids job; a row that cannot be read fails the run, since the list must be whole. */
async function* keysOf(object: string, kind: SourceKind, records: AsyncGenerator<SourceItem>): AsyncGenerator<string> {
  for await (const item of records) {
    if (item.kind === 'error') throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `${object}: the reconcile could not read line ${item.origin.line} of its Ids: ${item.message}`);
    yield reconcileKeys[kind].key(item.values);
  }
}

/**
 * The calls still to make for a plan: a Bulk job is opened, polled at least once and read a page per
 * `bulkPageSize` records (a full extract's count is unknown: at least one); REST reads 2,000 a page.
 */
function plannedCalls(plan: ObjectPlan, tuning: SalesforceTuning): number {
  if (plan.method === 'none') return 0;
  if (plan.method === 'rest') return Math.max(1, Math.ceil((plan.estimate ?? 0) / 2000));
  return 2 + Math.max(1, Math.ceil((plan.estimate ?? 0) / tuning.bulkPageSize));
}

/**
 * The records to read again from the overlap window on: none when the window holds as many records
 * as the last read saw there and nothing is newer than the watermark (one call either way, so the
 * window costs an unchanged re-sync nothing). A record committed late adds to the count; a change
 * moves the newest stamp. Else everything from the window on, which the load dedupes.
 */
async function changedSince(api: SalesforceApi, object: string, where: string, stored: Watermark): Promise<number> {
  const { count, newest } = await countSince(api, object, where);
  const unchanged = count === stored.windowCount && (newest === null || newest.getTime() <= stored.systemModstamp.getTime());
  return unchanged ? 0 : count;
}

/**
 * Passes records on, and once the source is read to its end sets the watermark to save: the
 * newest SystemModstamp read (or the one before, when only late records came), with how many
 * records were read in the overlap window before it. Every record of that window was read in this
 * run, since the read started a whole window before the old watermark.
 */
async function* tracked(plan: ObjectPlan, records: AsyncGenerator<SourceItem>, overlapMs: number): AsyncGenerator<SourceItem> {
  let newest = plan.since?.getTime() ?? -Infinity;
  // Stamps that may fall in the final window: pruned as the newest moves on, so a full read of millions keeps few.
  let recent: number[] = [];
  let pruneAt = 10_000;
  for await (const item of records) {
    if (item.kind === 'record') {
      plan.records++;
      const at = parseStamp(item.values.SystemModstamp!).getTime();
      if (at > newest) newest = at;
      if (at > newest - overlapMs) recent.push(at);
      if (recent.length >= pruneAt) {
        recent = recent.filter((t) => t > newest - overlapMs);
        pruneAt = Math.max(10_000, recent.length * 2);
      }
    }
    yield item;
  }
  // A plan that read nothing leaves its watermark, and the window's count, as they were.
  if (plan.method === 'none' || newest === -Infinity) return;
  plan.newest = new Date(newest);
  plan.windowCount = recent.filter((t) => t > newest - overlapMs).length;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const lower = (list: readonly string[]) => [...new Set(list.map((f) => f.toLowerCase()))].sort().join(',');
  return lower(a) === lower(b);
}

/**
 * The WHERE condition of a list view, from its describe's SOQL (list views are named by id or by
 * API name). A view limited by owner scope ("My Accounts") depends on who runs it, so it is refused.
 */
async function listViewFilter(api: SalesforceApi, object: string, listView: string): Promise<string | null> {
  let id = listView;
  if (!/^00B\w{12}(\w{3})?$/.test(listView)) {
    const { listviews } = await api.json<{ listviews: { id: string; developerName: string; label: string }[] }>('GET', `/sobjects/${object}/listviews`);
    const found = listviews.find((v) => v.developerName.toLowerCase() === listView.toLowerCase());
    if (!found) {
      const names = listviews.map((v) => v.developerName).join(', ') || 'none';
      throw new AppError(ErrorCode.SALESFORCE_CONFIG_INVALID, `${object}: there is no list view "${listView}"; its list views are: ${names}`);
    }
    id = found.id;
  }
  const { query } = await api.json<{ query: string }>('GET', `/sobjects/${object}/listviews/${id}/describe`);
  const parts = /\sFROM\s+\w+(?:\s+USING\s+SCOPE\s+(\w+))?(?:\s+WHERE\s+(.*?))?(?:\s+ORDER\s+BY\s+.*?)?(?:\s+LIMIT\s+\d+)?\s*$/is.exec(query);
  if (!parts) throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `${object}: cannot read the filter of list view "${listView}" from its query: ${query}`);
  if (parts[1] && parts[1].toLowerCase() !== 'everything') {
    throw new AppError(ErrorCode.SALESFORCE_CONFIG_INVALID, `${object}: list view "${listView}" shows records by owner scope (${parts[1]}), which depends on who runs it; choose a list view that filters by field values`);
  }
  return parts[2] ?? null;
}
