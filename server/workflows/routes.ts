import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { createWorkflow, deleteWorkflow, findWorkflow, listWorkflows, updateWorkflow } from '../../core/workflows/queries.ts';
import type { WorkflowRun } from '../../worker/jobs/workflow-jobs.ts';
import { Queue, workflowRunKey } from '../../core/queues.ts';

/** Puts a job on a queue; null when the queue's policy dropped it (a run of that workflow already waits). */
export type Enqueue = (queue: Queue, data: WorkflowRun, options: { singletonKey: string }) => Promise<string | null>;

function workflowId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new AppError(ErrorCode.NOT_FOUND, `workflow ${raw} does not exist`);
  return Number(raw);
}

function body(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(ErrorCode.BAD_REQUEST, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Workflows: saved checked and versioned, changed, removed, and run on demand. */
export function workflowRoutes(db: Queryable, enqueue: Enqueue): Router {
  const router = Router();

  router.get('/workflows', async (_req, res) => {
    res.json({ items: await listWorkflows(db) });
  });

  router.post('/workflows', async (req, res) => {
    const { name, definition } = body(req.body);
    res.status(201).json(await createWorkflow(db, { name, definition }));
  });

  router.get('/workflows/:id', async (req, res) => {
    res.json(await findWorkflow(db, workflowId(req.params.id)));
  });

  router.patch('/workflows/:id', async (req, res) => {
    const { name, definition, enabled } = body(req.body);
    res.json(await updateWorkflow(db, workflowId(req.params.id), { name, definition, enabled }));
  });

  router.delete('/workflows/:id', async (req, res) => {
    await deleteWorkflow(db, workflowId(req.params.id));
    res.status(204).end();
  });

  router.post('/workflows/:id/runs', async (req, res) => {
    const workflow = await findWorkflow(db, workflowId(req.params.id));
    if (!workflow.enabled) throw new AppError(ErrorCode.CONFLICT, `workflow "${workflow.name}" is disabled`);
    const jobId = await enqueue(Queue.workflowRun, { workflowId: workflow.id, version: workflow.version }, { singletonKey: workflowRunKey(workflow.id) });
    if (jobId === null) throw new AppError(ErrorCode.CONFLICT, `a run of workflow "${workflow.name}" is already waiting to start`);
    res.status(202).json({ jobId, workflowId: workflow.id, version: workflow.version });
  });

  return router;
}
