// A workflow definition as the builder edits it: plain JSON, each task a card. Tasks of kinds the
// builder has no form for stay as they came and are edited as JSON.
import { html, nothing, type TemplateResult } from 'lit';
import type { WorkflowDefinitionInput } from '../../../../core/workflows/definition.ts';
import { defaultFields, objectSource } from '../../../../core/directory/default-fields.ts';
import { ApiError } from '../api.ts';

type KnownTask = WorkflowDefinitionInput['tasks'][number];
export type SalesforceTask = Extract<KnownTask, { source: 'salesforce' }>;
export type FileTask = Extract<KnownTask, { source: 'upload' | 'sftp' }>;
export type LoadTask = Extract<KnownTask, { type: 'load' }>;
export type DistributeTask = Extract<KnownTask, { type: 'distribute' }>;
export type WriteBackTask = Extract<KnownTask, { type: 'writeBack' }>;
export type Mapping = NonNullable<LoadTask['mapping']>;
export type SourceKind = 'accounts' | 'contacts' | 'teamMembers';
export type Schedule = NonNullable<WorkflowDefinitionInput['schedule']>;

/** Any task: the builder's forms read the kinds they know through the types above. */
export type Task = { type: string; name: string; [field: string]: unknown };
export type Draft = { schedule?: Schedule; notify?: WorkflowDefinitionInput['notify']; tasks: Task[]; [field: string]: unknown };

/** A refusal's problems by the path each names (`tasks.2.fields`), as the server's validation writes them. */
export type FieldErrors = Record<string, string>;

const issuePattern = /(?:^|; )((?:tasks|schedule|notify|\(definition\))(?:\.[\w-]+)*): /g;

/** Splits "invalid workflow definition: tasks.1.fields: …; schedule.timeZone: …" into its problems by path. */
export function fieldErrors(error: unknown): FieldErrors | null {
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return null;
  const text = error.message.replace(/^invalid workflow definition: /, '');
  const starts = [...text.matchAll(issuePattern)];
  if (starts.length === 0) return null;
  const errors: FieldErrors = {};
  starts.forEach((match, i) => {
    const end = starts[i + 1]?.index ?? text.length;
    const path = match[1]!;
    const message = text.slice(match.index + match[0].length, end);
    errors[path] = errors[path] ? `${errors[path]}; ${message}` : message;
  });
  return errors;
}

/** The problems under `prefix` (`tasks.2`), keyed by the rest of their path ('' for the task itself). */
export function errorsUnder(errors: FieldErrors, prefix: string): FieldErrors {
  const under: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    if (path === prefix) under[''] = message;
    else if (path.startsWith(`${prefix}.`)) under[path.slice(prefix.length + 1)] = message;
  }
  return under;
}

/** The server's problem with one field, shown under it; `id` lets the field name it in aria-describedby. */
export function fieldError(errors: FieldErrors, key: string, id: string): TemplateResult | typeof nothing {
  const message = Object.entries(errors).find(([path]) => path === key || path.startsWith(`${key}.`))?.[1];
  return message ? html`<p class="error" id=${id} role="alert">${message}</p>` : nothing;
}

/** Every column a load reads from the source of `kind`: the mapping's fields (SPEC's defaults where it names none) and its attributes' sources. */
export function requiredColumns(kind: SourceKind, mapping: Mapping | undefined): string[] {
  const columns = new Set<string>();
  for (const [object, source] of Object.entries(objectSource) as [keyof typeof defaultFields, SourceKind][]) {
    if (source !== kind) continue;
    const part = mapping?.[object];
    if (part === false) continue;
    const given = (part && 'fields' in part ? part.fields : undefined) as Record<string, string | undefined> | undefined;
    for (const [field, column] of Object.entries(defaultFields[object])) columns.add(given?.[field] ?? column);
  }
  if (kind === 'accounts') for (const attribute of Object.values(mapping?.accounts?.attributes ?? {})) columns.add(attribute.source);
  return [...columns];
}

/** A task's card heading: what it is, in words. */
export function kindOf(task: Task): string {
  if (task.type === 'extract') {
    const from = { salesforce: 'Salesforce', upload: 'an uploaded file', sftp: 'SFTP', file: 'a local file' }[String(task.source)] ?? String(task.source);
    return `Extract ${String(task.object)} from ${from}`;
  }
  return { load: 'Load into the directory', distribute: 'Send a survey', writeBack: 'Write back to Salesforce' }[task.type] ?? `Task of type "${task.type}"`;
}

/** Dispatched by a card with its task as changed. */
export function taskChange(task: Task): CustomEvent<Task> {
  return new CustomEvent('task-change', { detail: task });
}

/** The name a new task takes: the first of `base`, `base 2`, … that no task has. */
export function freeName(tasks: readonly Task[], base: string): string {
  const taken = new Set(tasks.map((t) => t.name));
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base} ${n}`;
    if (!taken.has(name)) return name;
  }
}
