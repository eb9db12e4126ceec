import type { PgBoss } from 'pg-boss';
import type { Db } from '../../core/db.ts';
import type { WorkflowDefinition } from '../../core/workflows/definition.ts';
import { createDistribution, sendQueue, type NewDistribution } from '../../core/surveys/create-distribution.ts';
import { defaultTemplates } from '../../core/surveys/template.ts';

export type DistributeTask = Extract<WorkflowDefinition['tasks'][number], { type: 'distribute' }>;

export type ScheduledDistribution = { id: number; recipients: number; skipped: number; sendAt: Date };

/** When a task's distribution sends, counted from `now` (the end of its load). A set time that has passed means now. */
export function sendTime(send: DistributeTask['send'], now: Date): Date {
  if (send === 'now') return now;
  if ('delayMinutes' in send) return new Date(now.getTime() + send.delayMinutes * 60_000);
  const at = new Date(send.at);
  return at > now ? at : now;
}

type DistributionRequest = { task: DistributeTask; directoryId: number; mailingListId: number; workflowId: number | null; mailFrom: string; sourceKey?: string; now?: Date };

/** The distribution a distribute task makes of a load's mailing list (a preview makes it too, and rolls it back). */
export function distributionOf(request: DistributionRequest): NewDistribution {
  const { task } = request;
  return {
    surveyId: task.surveyId,
    directoryId: request.directoryId,
    mailingListId: request.mailingListId,
    workflowId: request.workflowId,
    audience: task.audience,
    linkType: task.linkType,
    from: task.from ?? request.mailFrom,
    subject: task.subject ?? defaultTemplates.subject,
    html: task.html ?? defaultTemplates.html,
    text: task.text ?? defaultTemplates.text,
    sendAt: sendTime(task.send, request.now ?? new Date()),
    ...(request.sourceKey ? { sourceKey: request.sourceKey } : {}),
  };
}

/**
 * Decides a distribution: its recipients (the task's audience of the mailing list, with the
 * skipped ones recorded) and its send time, and enqueues the job that sends it at that time. Null
 * when `sourceKey` names a distribution made before (the same job tried again): nothing new is
 * created or sent.
 */
export async function scheduleDistribution(
  db: Db,
  boss: PgBoss,
  request: DistributionRequest,
): Promise<ScheduledDistribution | null> {
  const { task } = request;
  return createDistribution(db, sendQueue(boss), distributionOf(request), {
    ...task,
    localized: task.subject === undefined && task.html === undefined && task.text === undefined,
  });
}
