import { z } from 'zod';
import { mappingInputSchema } from '../directory/mapping-input.ts';
import { csvDialectShape } from '../records/csv-source.ts';
import { unknownPlaceholders } from '../surveys/template.ts';
import { Audience } from '../states.ts';
import { followUpProblems, followUpShape } from '../surveys/follow-ups.ts';
import { missingRequiredFields, salesforceObjectOptions } from '../connections/salesforce-objects.ts';
import { repeatedFields, writeBackTask } from './write-back.ts';
import { weekdays } from './next-run.ts';
import { unextractedColumns } from './unextracted-columns.ts';

export { cronOf } from './next-run.ts';

/*
 * A workflow definition: when it runs and its ordered tasks. Extract tasks each read one export
 * file (local, uploaded, or on an SFTP server) or one object of a connected Salesforce org; a load task names, per directory object, the earlier
 * extract task that feeds it; a writeBack task writes the figures of a load's accounts back to
 * Salesforce after it. References are checked when the definition is saved.
 */

const name = z.string().trim().min(1).max(100);
const object = z.enum(['accounts', 'contacts', 'teamMembers']);

/** The file holds every record of its object (a full export), so a record it leaves out is removed from the directory. */
const fullExport = z.boolean().optional();
const extractFile = z.strictObject({ type: z.literal('extract'), name, object, source: z.literal('file'), path: z.string().min(1), fullExport });
const extractSftp = z.strictObject({
  type: z.literal('extract'),
  name,
  object,
  source: z.literal('sftp'),
  connectionId: z.number().int().positive(),
  path: z.string().min(1).optional(),
  pattern: z.string().min(1).optional(),
  archiveFolder: z.string().min(1).optional(),
  /** Loads the file even when the same file (path, size, time) was loaded before into the directory. */
  force: z.boolean().optional(),
  fullExport,
  ...csvDialectShape,
});
/** An uploaded file, by its name: each run reads the newest upload of that name. */
const extractUpload = z.strictObject({
  type: z.literal('extract'),
  name,
  object,
  source: z.literal('upload'),
  file: z.string().trim().min(1).max(255).regex(/^[^/\\]+$/, "the uploaded file's name alone, without a folder (accounts.csv)"),
  fullExport,
  ...csvDialectShape,
});
/** One object of a connected Salesforce org: its fields (the required ones kept), a list view, a full resync. */
const extractSalesforce = z.strictObject({
  type: z.literal('extract'),
  name,
  object,
  source: z.literal('salesforce'),
  connectionId: z.number().int().positive(),
  ...salesforceObjectOptions.shape,
});
const load = z.strictObject({
  type: z.literal('load'),
  name,
  directoryId: z.number().int().positive().default(1),
  /** Per directory object source, the name of the extract task that reads it. */
  extracts: z.strictObject({ accounts: name.optional(), contacts: name.optional(), teamMembers: name.optional() }),
  mapping: mappingInputSchema.default({}),
  mailingListName: z.string().trim().min(1).optional(),
});

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, e.g. "06:00"');
const zone = { timeZone: z.string().default('UTC') };
/** A five-field cron, or a preset that stands for one: daily at HH:MM, hourly at a minute, weekly on a day at HH:MM. */
const schedule = z.union(
  [
    z.strictObject({ cron: z.string().regex(/^\S+( \S+){4}$/, 'five cron fields, e.g. "0 6 * * *"'), ...zone }),
    z.strictObject({ daily: timeOfDay, ...zone }),
    z.strictObject({ hourly: z.number('the minute past each hour, 0 to 59').int('the minute past each hour, 0 to 59').min(0, 'the minute past each hour, 0 to 59').max(59, 'the minute past each hour, 0 to 59'), ...zone }),
    z.strictObject({ weekly: z.enum(weekdays), at: timeOfDay, ...zone }),
  ],
  {
    error:
      'a schedule is { "cron": "0 6 * * *" }, { "daily": "06:00" }, { "hourly": <minute 0-59> } or { "weekly": "monday", "at": "06:00" }, each with an optional "timeZone"',
  },
);
export type Schedule = z.infer<typeof schedule>;

/**
 * A zone by its IANA name. ICU lists each zone once, some by their old names (Asia/Calcutta,
 * Europe/Kiev), so a name it reads but does not list (Asia/Kolkata, Europe/Kyiv) is taken too.
 */
function knownTimeZone(name: string): boolean {
  if (name === 'UTC' || Intl.supportedValuesOf('timeZone').includes(name)) return true;
  if (!/^[A-Za-z]+(\/[\w+-]+)+$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const template = z.string().trim().min(1).max(20_000);

const address = z.email();
/** `"Name" <a@b.c>`: the display name quoted, so it may hold commas; never a quote, backslash or line break. */
const quotedName = /^"([^"\\\p{Cc}]*)"\s*<([^<>\s]+)>$/u;
/** `Name <a@b.c>`: an unquoted display name has none of the characters that would split or end it. */
const plainName = /^([^"<>,;:@\\\p{Cc}]*?)\s*<([^<>\s]+)>$/u;
/** The sender of a survey as mail clients write it: an address, alone or after a display name. */
const sender = z
  .string()
  .trim()
  .max(300)
  .refine((value) => address.safeParse((quotedName.exec(value) ?? plainName.exec(value))?.[2] ?? value).success, {
    error: 'a sender address, e.g. "surveys@example.com" or "Acme Surveys <surveys@example.com>"',
  });

/**
 * Sends a survey by email to the mailing list that the named load task creates in the same run:
 * to the contacts that load added to the directory (`audience` 'new', the default), those it added
 * or changed ('newOrChanged'), or every contact of the list ('all'), each under the directory's
 * contact rules. It sends now, `delayMinutes` after the load, or `at` a set time (now, when that
 * time has passed).
 */
const distribute = z.strictObject({
  type: z.literal('distribute'),
  name,
  /** The load task whose mailing list receives the survey. */
  load: name,
  surveyId: z.number().int().positive(),
  audience: z.enum(Object.values(Audience)).default(Audience.new),
  linkType: z.enum(['individual', 'anonymous']).default('individual'),
  send: z.union([z.literal('now'), z.strictObject({ delayMinutes: z.number().int().min(1).max(60 * 24 * 90) }), z.strictObject({ at: z.iso.datetime({ offset: true }) })]).default('now'),
  from: sender.optional(),
  subject: z.string().trim().min(1).max(300).optional(),
  html: template.optional(),
  text: template.optional(),
  ...followUpShape,
});

export const workflowDefinitionSchema = z
  .strictObject({
    /** When it runs, in its time zone; unset: on demand only. */
    schedule: schedule.optional(),
    /** Who hears of a run that failed for good: after its last retry, or at once when a retry could not help. */
    notify: z.strictObject({ onFailure: z.array(z.email('an email address, e.g. "ops@example.com"')).min(1).max(20) }).optional(),
    tasks: z.array(z.discriminatedUnion('type', [z.discriminatedUnion('source', [extractFile, extractUpload, extractSftp, extractSalesforce]), load, distribute, writeBackTask])).min(2),
  })
  .superRefine((definition, context) => {
    const problem = (message: string, path: (string | number)[]) => context.addIssue({ code: 'custom', message, path });
    if (definition.schedule && !knownTimeZone(definition.schedule.timeZone)) {
      problem(`unknown time zone "${definition.schedule.timeZone}"`, ['schedule', 'timeZone']);
    }
    const seen = new Map<string, (typeof definition.tasks)[number]>();
    definition.tasks.forEach((task, i) => {
      if (seen.has(task.name)) problem(`task name "${task.name}" is used twice`, ['tasks', i, 'name']);
      if (task.type === 'extract' && task.source === 'sftp' && (task.path === undefined) === (task.pattern === undefined)) {
        problem('an SFTP extract names a path or a pattern (one of them)', ['tasks', i]);
      }
      if (task.type === 'extract' && task.source === 'salesforce') {
        const missing = missingRequiredFields(task.object, task.fields);
        if (missing.length > 0) problem(`the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} cannot be left out`, ['tasks', i, 'fields']);
      }
      if (task.type === 'load') {
        const entries = Object.entries(task.extracts);
        if (entries.length === 0) problem('a load task reads at least one extract task', ['tasks', i, 'extracts']);
        for (const [kind, reference] of entries) {
          const target = seen.get(reference!);
          if (!target) problem(`"${reference}" is not an earlier task`, ['tasks', i, 'extracts', kind]);
          else if (target.type !== 'extract' || target.object !== kind) {
            problem(`"${reference}" does not extract ${kind}`, ['tasks', i, 'extracts', kind]);
          }
        }
        const extracts = entries.map(([, reference]) => seen.get(reference!)).filter((t) => t?.type === 'extract');
        const places = new Set(
          extracts.map((t) => (t.source === 'sftp' ? `sftp:${t.connectionId}:${t.archiveFolder ?? ''}` : t.source === 'salesforce' ? `salesforce:${t.connectionId}` : t.source)),
        );
        if (places.size > 1) {
          problem('the extracts of one load read from one place: local files, uploaded files, one SFTP connection with one archive folder, or one Salesforce org', ['tasks', i, 'extracts']);
        }
        // An extract that leaves out a required field is refused above: its select list is not worked out.
        const feeds = Object.fromEntries(extracts.flatMap((t) => (t.source === 'salesforce' && missingRequiredFields(t.object, t.fields).length === 0 ? [[t.object, t]] : [])));
        for (const { path, message } of unextractedColumns(task.mapping, feeds)) problem(message, ['tasks', i, 'mapping', ...path]);
      }
      if (task.type === 'distribute') {
        const target = seen.get(task.load);
        if (!target) problem(`"${task.load}" is not an earlier task`, ['tasks', i, 'load']);
        else if (target.type !== 'load') problem(`"${task.load}" is not a load task`, ['tasks', i, 'load']);
        else if (!target.mailingListName || !target.extracts.contacts) {
          problem(`load task "${task.load}" creates no mailing list: give it a mailingListName and a contacts extract`, ['tasks', i, 'load']);
        }
        for (const part of ['subject', 'html', 'text'] as const) {
          const unknown = unknownPlaceholders(task[part] ?? '');
          if (unknown.length > 0) problem(`unknown placeholder ${unknown.map((p) => `{{${p}}}`).join(', ')}; known: firstName, lastName, accountName, surveyLink, optOutLink, surveyTitle`, ['tasks', i, part]);
        }
        if (task.html !== undefined && !/\{\{\s*optOutLink/.test(task.html)) problem('the HTML body has no {{optOutLink}}', ['tasks', i, 'html']);
        if (task.text !== undefined && !/\{\{\s*optOutLink/.test(task.text)) problem('the text body has no {{optOutLink}}', ['tasks', i, 'text']);
        for (const p of followUpProblems(task)) problem(p.message, ['tasks', i, ...p.path]);
      }
      if (task.type === 'writeBack') {
        const target = seen.get(task.load);
        if (!target) problem(`"${task.load}" is not an earlier task`, ['tasks', i, 'load']);
        else if (target.type !== 'load') problem(`"${task.load}" is not a load task`, ['tasks', i, 'load']);
        if (Object.values(task.fields).every((f) => f === undefined)) problem('a write-back maps at least one figure (nps, change, health, responses, lastAnswerAt) to an Account field', ['tasks', i, 'fields']);
        for (const field of repeatedFields(task.fields)) problem(`${field} holds one figure, not two`, ['tasks', i, 'fields']);
      }
      seen.set(task.name, task);
    });
    if (!definition.tasks.some((t) => t.type === 'load')) problem('a workflow has a load task', ['tasks']);
  });

export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
