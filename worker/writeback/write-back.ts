import { findSalesforceCredentials } from '../../core/connections/salesforce.ts';
import { writableFields } from '../../core/connections/salesforce-write-fields.ts';
import { jsforceConnection, salesforceCallError, type ApiCalls } from '../../core/connections/salesforce-jsforce.ts';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { findWidgetConfig } from '../../core/widgets/config-queries.ts';
import { bucketsOf, periodsUpTo } from '../../core/widgets/periods.ts';
import { accountFigures, todayIn } from '../../core/widgets/strategic-accounts-queries.ts';
import { writeBackFieldProblems, type WriteBackTask } from '../../core/workflows/write-back.ts';
import { changedRecords, saveRecordFailures, saveReport, saveWritten, type WriteBackReport } from './queries.ts';
import { openDetractorTasks } from './detractor-tasks.ts';
import { recordValues } from './record-values.ts';
import { defaultSendTuning, sendUpdates, type SendTuning } from './send-updates.ts';

export type WriteBackDeps = { db: Db; secretBox: () => Promise<SecretBox>; logger: Logger; writeBack?: Partial<SendTuning> | undefined };

const object = 'Account';

/**
 * The story of one write-back, after its load committed run `runId`: the figures of every account
 * as the widget computes them, the Account fields checked against the describe again (a field may
 * have changed since the workflow was saved), only the records whose values changed since the last
 * write sent, and what Salesforce accepted remembered. Records Salesforce refuses are the run's row
 * errors and are sent again next run; so are detractor Tasks Salesforce refuses, when the task opens
 * them. A write-back that fails whole is reported on the run; the
 * load stays as it is.
 */
export async function writeBack(deps: WriteBackDeps, task: WriteBackTask, runId: number): Promise<WriteBackReport> {
  const usage: ApiCalls = { calls: 0 };
  const report: WriteBackReport = { task: task.name, method: 'none', accounts: 0, changed: 0, succeeded: 0, failed: 0, apiCalls: 0, jobId: null, tasksCreated: 0, tasksFailed: 0, error: null };
  try {
    const config = await findWidgetConfig(deps.db, task.widgetConfigId);
    const credentials = await findSalesforceCredentials(deps.db, await deps.secretBox(), task.connectionId);
    const conn = await jsforceConnection(credentials, usage);
    try {
      const described = writableFields((await conn.sobject(object).describe()).fields);
      const problems = writeBackFieldProblems(task.fields, described);
      if (problems.length > 0) {
        throw new AppError(ErrorCode.SALESFORCE_CONFIG_INVALID, `the Account fields changed since the workflow was saved: ${problems.map((p) => `fields.${p.path}: ${p.message}`).join('; ')}`);
      }
      const asOf = await todayIn(deps.db, config.timeZone);
      const [previous, current] = bucketsOf(periodsUpTo(config.period, asOf, 2), asOf) as [{ start: string; until: string }, { start: string; until: string }];
      const figures = await accountFigures(deps.db, config.directoryId, config, { previous, current });
      const { records } = recordValues(figures, task.fields, new Map(described.map((f) => [f.name.toLowerCase(), f.type])), config.timeZone);
      report.accounts = records.length;
      const changedIds = await changedRecords(deps.db, task.connectionId, object, records);
      const changed = records.filter((r) => changedIds.has(r.id));
      report.changed = changed.length;
      if (changed.length > 0) {
        const sent = await sendUpdates(conn, object, changed, { ...defaultSendTuning, ...deps.writeBack });
        const failedIds = new Set(sent.failures.map((f) => f.id.slice(0, 15)));
        const accepted = changed.filter((r) => !failedIds.has(r.id.slice(0, 15)));
        await saveWritten(deps.db, task.connectionId, object, accepted);
        await saveRecordFailures(deps.db, runId, 'accounts', `writeBack ${task.name}`, sent.failures);
        Object.assign(report, { method: sent.method, jobId: sent.jobId, succeeded: accepted.length, failed: sent.failures.length });
      }
      if (task.detractorTasks) {
        const tasks = await openDetractorTasks(deps.db, conn, { connectionId: task.connectionId, directoryId: config.directoryId }, task.detractorTasks);
        await saveRecordFailures(deps.db, runId, 'contacts', `writeBack ${task.name} Task`, tasks.failures);
        Object.assign(report, { tasksCreated: tasks.created, tasksFailed: tasks.failures.length });
      }
    } catch (error) {
      throw salesforceCallError(credentials, `writing back to ${object}`, error);
    }
  } catch (error) {
    if (!isAppError(error)) throw error;
    report.error = { code: error.code, message: error.message };
    deps.logger.warn({ runId, task: task.name, code: error.code, err: error }, 'write-back failed; its records are sent again next run');
  } finally {
    report.apiCalls = usage.calls;
    await saveReport(deps.db, runId, task.connectionId, report);
  }
  return report;
}
