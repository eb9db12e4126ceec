/** pg-boss queue names: the worker works them, the API and CLI send to them. */
export const Queue = {
  /** Load a set of export files into a directory as one run. */
  sync: 'sync',
  /** Run one version of a workflow: its load tasks in order. At most one waits per workflow. */
  workflowRun: 'workflow-run',
} as const;

/** A second trigger while a run of the same workflow waits is dropped; one that comes while it runs waits. */
export function workflowRunKey(workflowId: number): string {
  return `workflow-${workflowId}`;
}
export type Queue = (typeof Queue)[keyof typeof Queue];
