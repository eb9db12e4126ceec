import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { createWorkflow, deleteWorkflow, findWorkflow, listWorkflows, updateWorkflow } from '../../core/workflows/queries.ts';
import type { WorkflowJobs } from '../../worker/jobs/workflow-schedule.ts';

function workflowId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new AppError(ErrorCode.NOT_FOUND, `workflow ${raw} does not exist`);
  return Number(raw);
}

function body(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(ErrorCode.BAD_REQUEST, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Workflows: saved checked and versioned, changed, removed, and run on their schedule or on demand.
 * Their file extracts read inside `importDir` only.
 */
export function workflowRoutes(db: Queryable, jobs: WorkflowJobs, importDir: string): Router {
  const router = Router();

  router.get('/workflows', async (_req, res) => {
    res.json({ items: await listWorkflows(db) });
  });

  router.post('/workflows', async (req, res) => {
    const { name, definition } = body(req.body);
    const workflow = await createWorkflow(db, { name, definition }, importDir);
    await jobs.syncSchedule(workflow);
    res.status(201).json(workflow);
  });

  router.get('/workflows/:id', async (req, res) => {
    res.json(await findWorkflow(db, workflowId(req.params.id)));
  });

  router.patch('/workflows/:id', async (req, res) => {
    const { name, definition, enabled } = body(req.body);
    const workflow = await updateWorkflow(db, workflowId(req.params.id), { name, definition, enabled }, importDir);
    await jobs.syncSchedule(workflow);
    res.json(workflow);
  });

  router.delete('/workflows/:id', async (req, res) => {
    const id = workflowId(req.params.id);
    await deleteWorkflow(db, id);
    await jobs.syncSchedule({ id, version: 1, enabled: false });
    res.status(204).end();
  });

  router.post('/workflows/:id/runs', async (req, res) => {
    const workflow = await findWorkflow(db, workflowId(req.params.id));
    if (!workflow.enabled) throw new AppError(ErrorCode.CONFLICT, `workflow "${workflow.name}" is disabled`);
    const jobId = await jobs.runNow({ workflowId: workflow.id, version: workflow.version });
    if (jobId === null) throw new AppError(ErrorCode.CONFLICT, `a run of workflow "${workflow.name}" is already waiting to start`);
    res.status(202).json({ jobId, workflowId: workflow.id, version: workflow.version });
  });

  return router;
}
