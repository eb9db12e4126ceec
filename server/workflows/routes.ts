import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { checkDefinition, createWorkflow, deleteWorkflow, listWorkflowVersions, findWorkflow, listWorkflows, parseDefinition, updateWorkflow, type SecretBoxSource } from '../../core/workflows/queries.ts';
import { withNextRun, type WorkflowJobs } from '../../core/workflows/schedule.ts';
import { idParam, jsonBody } from '../query-params.ts';
import { reserveRunId } from '../../core/runs/queries.ts';

/**
 * Workflows: saved checked and versioned, changed, removed, and run on their schedule or on demand.
 * Their file extracts read inside `importDir` only; a write-back task's fields are checked against
 * the org, logged in with the credentials `secretBox` opens.
 */
export function workflowRoutes(db: Queryable, jobs: WorkflowJobs, importDir: string, secretBox?: SecretBoxSource): Router {
  const router = Router();

  router.get('/workflows', async (_req, res) => {
    const now = new Date();
    res.json({ items: (await listWorkflows(db)).map((workflow) => withNextRun(workflow, now)) });
  });

  router.post('/workflows', async (req, res) => {
    const { name, definition } = jsonBody(req.body);
    jobs.checkSchedule(parseDefinition(definition).schedule);
    const workflow = await createWorkflow(db, { name, definition }, importDir, secretBox);
    await jobs.syncSchedule(workflow);
    res.status(201).json(workflow);
  });

  router.get('/workflows/:id', async (req, res) => {
    res.json(withNextRun(await findWorkflow(db, idParam(req.params.id, 'workflow')), new Date()));
  });

  router.get('/workflows/:id/versions', async (req, res) => {
    res.json({ items: await listWorkflowVersions(db, idParam(req.params.id, 'workflow')) });
  });

  router.patch('/workflows/:id', async (req, res) => {
    const { name, definition, enabled } = jsonBody(req.body);
    if (definition !== undefined) jobs.checkSchedule(parseDefinition(definition).schedule);
    const workflow = await updateWorkflow(db, idParam(req.params.id, 'workflow'), { name, definition, enabled }, importDir, secretBox);
    await jobs.syncSchedule(workflow);
    res.json(workflow);
  });

  router.delete('/workflows/:id', async (req, res) => {
    const id = idParam(req.params.id, 'workflow');
    await deleteWorkflow(db, id);
    await jobs.syncSchedule({ id, version: 1, enabled: false });
    res.status(204).end();
  });

  /** A draft not saved yet; and a saved workflow, as it is or with the draft of its next version in the body. */
  router.post('/workflows/preview', async (req, res) => {
    const { definition } = jsonBody(req.body);
    res.json(await jobs.preview({ workflowId: null, definition: await checkDefinition(db, definition, importDir, secretBox) }));
  });

  router.post('/workflows/:id/preview', async (req, res) => {
    const workflow = await findWorkflow(db, idParam(req.params.id, 'workflow'));
    const draft = req.body && typeof req.body === 'object' && 'definition' in req.body ? (req.body as { definition: unknown }).definition : undefined;
    const definition = draft === undefined ? workflow.definition : await checkDefinition(db, draft, importDir, secretBox);
    res.json(await jobs.preview({ workflowId: workflow.id, definition }));
  });

  router.post('/workflows/:id/runs', async (req, res) => {
    const workflow = await findWorkflow(db, idParam(req.params.id, 'workflow'));
    if (!workflow.enabled) throw new AppError(ErrorCode.CONFLICT, `workflow "${workflow.name}" is disabled`);
    const runId = await reserveRunId(db);
    const jobId = await jobs.runNow({ workflowId: workflow.id, version: workflow.version, runId });
    if (jobId === null) throw new AppError(ErrorCode.CONFLICT, `a run of workflow "${workflow.name}" is already waiting to start`);
    res.status(202).json({ runId, jobId, workflowId: workflow.id, version: workflow.version });
  });

  return router;
}
