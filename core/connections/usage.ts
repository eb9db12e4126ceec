import type { Queryable } from '../db.ts';
import { AppError, ErrorCode } from '../errors.ts';

type WorkflowName = { id: number; name: string };

/** The workflows with a task holding every property of `task`: the ones removing what it uses breaks. */
async function workflowsWithTask(db: Queryable, task: Record<string, string | number>): Promise<WorkflowName[]> {
  return db.query<WorkflowName>(`select id::int, name from workflows where definition->'tasks' @> jsonb_build_array($1::jsonb) order by lower(name), id`, [JSON.stringify(task)]);
}

/** The workflows whose extract tasks read from a connection of either kind: the ones its removal breaks. */
export async function workflowsUsingConnection(db: Queryable, source: 'sftp' | 'salesforce', id: number): Promise<WorkflowName[]> {
  return workflowsWithTask(db, { source, connectionId: id });
}

/** The workflows whose extract tasks read the uploaded file of this name. */
export async function workflowsUsingUpload(db: Queryable, name: string): Promise<WorkflowName[]> {
  return workflowsWithTask(db, { source: 'upload', file: name });
}

/** The workflows whose write-back tasks figure accounts by this widget configuration's period, time zone and health rules. */
export async function workflowsUsingWidgetConfig(db: Queryable, id: number): Promise<WorkflowName[]> {
  return workflowsWithTask(db, { type: 'writeBack', widgetConfigId: id });
}

/**
 * Removing what workflows read breaks them, so it is refused while any does, naming them, unless
 * forced; then it answers the workflows the removal breaks. `what` names the thing removed.
 */
export function refuseRemovalWhileUsed(what: string, users: WorkflowName[], force: boolean): WorkflowName[] {
  if (users.length > 0 && !force) {
    const names = users.map((w) => `"${w.name}" (${w.id})`).join(', ');
    throw new AppError(ErrorCode.CONFLICT, `${what} is used by workflow ${names}: removing it breaks them; add ?force=true to remove it anyway`);
  }
  return users;
}
