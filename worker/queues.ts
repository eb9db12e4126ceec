/** pg-boss queue names: the worker works them, the API and CLI send to them. */
export const Queue = {
  /** Load a set of export files into a directory as one run. */
  sync: 'sync',
} as const;
export type Queue = (typeof Queue)[keyof typeof Queue];
