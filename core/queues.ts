/** pg-boss queue names: the worker works them, the API and CLI send to them. */
export const Queue = {
  /** Load a set of export files into a directory as one run. */
  sync: 'sync',
  /** Run one version of a workflow: its load tasks in order. At most one waits per workflow. */
  workflowRun: 'workflow-run',
  /** Send one survey distribution's pending emails; starts at its send time. */
  distributionSend: 'distribution-send',
} as const;

/** At most one job sends a distribution at a time. */
export function distributionSendKey(distributionId: number): string {
  return `distribution-${distributionId}`;
}

/** A second trigger while a run of the same workflow waits is dropped; one that comes while it runs waits. */
export function workflowRunKey(workflowId: number): string {
  return `workflow-${workflowId}`;
}
export type Queue = (typeof Queue)[keyof typeof Queue];
