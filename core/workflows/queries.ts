import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues, isAppError } from '../errors.ts';
import { resolveImportPath } from '../import-folder.ts';
import { missingSurveys } from '../surveys/queries.ts';
import { workflowDefinitionSchema, type WorkflowDefinition } from './definition.ts';
import type { SecretBox } from '../secret-box.ts';
import { describeWritableFields } from '../connections/salesforce-write-fields.ts';
import { findWidgetConfig } from '../widgets/config-queries.ts';
import { writeBackFieldProblems } from './write-back.ts';

/** Opens the sealed Salesforce credentials a write-back task's save check logs in with. */
export type SecretBoxSource = () => Promise<SecretBox>;

export const workflowSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  enabled: z.boolean(),
  version: z.number().int(),
  definition: workflowDefinitionSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Workflow = z.infer<typeof workflowSchema>;

const columns = `id::int, name, enabled, version, definition, created_at as "createdAt", updated_at as "updatedAt"`;

/** Checks a definition as it is saved, naming every problem with its path. */
export function parseDefinition(input: unknown): WorkflowDefinition {
  const parsed = workflowDefinitionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error, '(definition)');
  throw new AppError(ErrorCode.BAD_REQUEST, `invalid workflow definition: ${issues}`);
}

/**
 * The references a definition makes outside itself, checked as it is saved: stored surveys, local
 * files, which must be inside the import folder (a run checks them again), and a write-back's
 * widget configuration and Account fields, against the org's describe.
 */
async function checkReferences(db: Queryable, definition: WorkflowDefinition, importDir: string, secretBox?: SecretBoxSource): Promise<void> {
  const missing = new Set(await missingSurveys(db, definition.tasks.flatMap((t) => (t.type === 'distribute' ? [t.surveyId] : []))));
  const issues: string[] = [];
  for (const [i, task] of definition.tasks.entries()) {
    if (task.type === 'distribute' && missing.has(task.surveyId)) issues.push(`tasks.${i}.surveyId: survey ${task.surveyId} does not exist`);
    if (task.type === 'writeBack') issues.push(...(await writeBackIssues(db, definition, i, secretBox)));
    if (task.type !== 'extract' || task.source !== 'file') continue;
    try {
      await resolveImportPath(importDir, task.path);
    } catch (error) {
      if (!isAppError(error)) throw error;
      issues.push(`tasks.${i}.path: ${error.message}`);
    }
  }
  if (issues.length > 0) throw new AppError(ErrorCode.BAD_REQUEST, `invalid workflow definition: ${issues.join('; ')}`);
}

async function writeBackIssues(db: Queryable, definition: WorkflowDefinition, i: number, secretBox: SecretBoxSource | undefined): Promise<string[]> {
  const task = definition.tasks[i]!;
  if (task.type !== 'writeBack') return [];
  const issues: string[] = [];
  const load = definition.tasks.find((t) => t.type === 'load' && t.name === task.load);
  const config = await findWidgetConfig(db, task.widgetConfigId).catch((error: unknown) => {
    if (isAppError(error) && error.code === ErrorCode.NOT_FOUND) return null;
    throw error;
  });
  if (!config) issues.push(`tasks.${i}.widgetConfigId: widget configuration ${task.widgetConfigId} does not exist`);
  else if (load?.type === 'load' && config.directoryId !== load.directoryId) {
    issues.push(`tasks.${i}.widgetConfigId: widget configuration ${config.id} shows directory ${config.directoryId}; load task "${load.name}" loads directory ${load.directoryId}`);
  }
  if (!secretBox) throw new AppError(ErrorCode.BAD_REQUEST, `tasks.${i}: a write-back task is checked against the org's describe when saved, and this caller cannot log in to Salesforce`);
  const described = await describeWritableFields(db, await secretBox(), task.connectionId, 'Account');
  for (const problem of writeBackFieldProblems(task.fields, described)) issues.push(`tasks.${i}.fields.${problem.path}: ${problem.message}`);
  return issues;
}

/** A definition checked as a save checks it, without saving it (a preview of a draft). */
export async function checkDefinition(db: Queryable, input: unknown, importDir: string, secretBox?: SecretBoxSource): Promise<WorkflowDefinition> {
  const definition = parseDefinition(input);
  await checkReferences(db, definition, importDir, secretBox);
  return definition;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new AppError(ErrorCode.BAD_REQUEST, 'a workflow needs a name');
  return name.trim();
}

export async function createWorkflow(db: Queryable, input: { name: unknown; definition: unknown }, importDir: string, secretBox?: SecretBoxSource): Promise<Workflow> {
  const name = checkName(input.name);
  const definition = await checkDefinition(db, input.definition, importDir, secretBox);
  const [workflow] = await db.query<Workflow>(
    `with created as (
      insert into workflows (name, definition) values ($1, $2) on conflict (name) do nothing returning *
    ), versioned as (
      insert into workflow_versions (workflow_id, version, definition) select id, version, definition from created
    ) select ${columns} from created`,
    [name, definition],
  );
  if (!workflow) throw new AppError(ErrorCode.CONFLICT, `a workflow named "${name}" already exists`);
  return workflow;
}

export async function listWorkflows(db: Queryable): Promise<Workflow[]> {
  return db.query<Workflow>(`select ${columns} from workflows order by lower(name), id`);
}

export async function findWorkflow(db: Queryable, id: number): Promise<Workflow> {
  const [workflow] = await db.query<Workflow>(`select ${columns} from workflows where id = $1`, [id]);
  if (!workflow) throw new AppError(ErrorCode.NOT_FOUND, `workflow ${id} does not exist`);
  return workflow;
}

/** A workflow version as it was saved: what a run of that version executes. */
export async function findWorkflowVersion(db: Queryable, id: number, version: number): Promise<WorkflowDefinition> {
  const [row] = await db.query<{ definition: WorkflowDefinition }>(
    'select definition from workflow_versions where workflow_id = $1 and version = $2',
    [id, version],
  );
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `workflow ${id} has no version ${version}`);
  return row.definition;
}

export const workflowVersionSchema = z.object({ version: z.number().int(), definition: workflowDefinitionSchema, createdAt: z.date() });
export type WorkflowVersion = z.infer<typeof workflowVersionSchema>;

/** Every saved version of a workflow, newest first: what changed and when. */
export async function listWorkflowVersions(db: Queryable, id: number): Promise<WorkflowVersion[]> {
  await findWorkflow(db, id);
  return db.query<WorkflowVersion>(
    'select version, definition, created_at as "createdAt" from workflow_versions where workflow_id = $1 order by version desc',
    [id],
  );
}

/** Renames, enables or disables a workflow, or saves a new definition as its next version. */
export async function updateWorkflow(
  db: Queryable,
  id: number,
  change: { name?: unknown; definition?: unknown; enabled?: unknown },
  importDir: string,
  secretBox?: SecretBoxSource,
): Promise<Workflow> {
  const name = change.name === undefined ? null : checkName(change.name);
  const definition = change.definition === undefined ? null : await checkDefinition(db, change.definition, importDir, secretBox);
  if (change.enabled !== undefined && typeof change.enabled !== 'boolean') throw new AppError(ErrorCode.BAD_REQUEST, 'enabled is true or false');
  const [workflow] = await db.query<Workflow>(
    `with updated as (
      update workflows set name = coalesce($2, name), enabled = coalesce($4, enabled),
        definition = coalesce($3, definition), version = version + (case when $3::jsonb is null then 0 else 1 end), updated_at = now()
      where id = $1 returning *
    ), versioned as (
      insert into workflow_versions (workflow_id, version, definition) select id, version, definition from updated where $3::jsonb is not null
    ) select ${columns} from updated`,
    [id, name, definition, change.enabled ?? null],
  ).catch((error: { code?: string }) => {
    if (error.code === '23505') throw new AppError(ErrorCode.CONFLICT, `a workflow named "${name}" already exists`);
    throw error;
  });
  if (!workflow) throw new AppError(ErrorCode.NOT_FOUND, `workflow ${id} does not exist`);
  return workflow;
}

export async function deleteWorkflow(db: Queryable, id: number): Promise<void> {
  const removed = await db.query('delete from workflows where id = $1 returning 1', [id]);
  if (removed.length === 0) throw new AppError(ErrorCode.NOT_FOUND, `workflow ${id} does not exist`);
}
