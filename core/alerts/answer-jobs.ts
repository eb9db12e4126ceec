import type { PgBoss } from 'pg-boss';
import { Queue, type AnswerStoredJob } from '../queues.ts';

/** How the web process hands a stored answer to the worker, which alerts and calls webhooks for it within the minute. */
export type AnswerJobs = { stored: (responseId: number) => Promise<void> };

/** Answer jobs on pg-boss: one job per stored version of an answer; the worker raises each alert once however often it runs. */
export function answerJobs(boss: PgBoss): AnswerJobs {
  return {
    async stored(responseId) {
      const job: AnswerStoredJob = { responseId };
      await boss.send(Queue.answerStored, job);
    },
  };
}
