import { z } from 'zod';
import { mappingInputSchema } from '../../worker/map/mapping.ts';

/*
 * A workflow definition: when it runs and its ordered tasks. Extract tasks each read one export
 * file (local, or on an SFTP server); a load task names, per directory object, the earlier
 * extract task that feeds it. References are checked when the definition is saved.
 */

const name = z.string().trim().min(1).max(100);
const object = z.enum(['accounts', 'contacts', 'teamMembers']);
const dialect = {
  delimiter: z.string().length(1).optional(),
  quote: z.string().length(1).optional(),
  encoding: z.enum(['utf-8', 'latin1']).optional(),
};

const extractFile = z.strictObject({ type: z.literal('extract'), name, object, source: z.literal('file'), path: z.string().min(1) });
const extractSftp = z.strictObject({
  type: z.literal('extract'),
  name,
  object,
  source: z.literal('sftp'),
  connectionId: z.number().int().positive(),
  path: z.string().min(1).optional(),
  pattern: z.string().min(1).optional(),
  archiveFolder: z.string().min(1).optional(),
  ...dialect,
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

export const workflowDefinitionSchema = z
  .strictObject({
    /** Five-field cron in the time zone; unset: the workflow runs on demand only. */
    schedule: z.strictObject({ cron: z.string().regex(/^\S+( \S+){4}$/, 'five cron fields, e.g. "0 6 * * *"'), timeZone: z.string().default('UTC') }).optional(),
    tasks: z.array(z.discriminatedUnion('type', [z.discriminatedUnion('source', [extractFile, extractSftp]), load])).min(2),
  })
  .superRefine((definition, context) => {
    const problem = (message: string, path: (string | number)[]) => context.addIssue({ code: 'custom', message, path });
    if (definition.schedule && !Intl.supportedValuesOf('timeZone').concat('UTC').includes(definition.schedule.timeZone)) {
      problem(`unknown time zone "${definition.schedule.timeZone}"`, ['schedule', 'timeZone']);
    }
    const seen = new Map<string, (typeof definition.tasks)[number]>();
    definition.tasks.forEach((task, i) => {
      if (seen.has(task.name)) problem(`task name "${task.name}" is used twice`, ['tasks', i, 'name']);
      if (task.type === 'extract' && task.source === 'sftp' && (task.path === undefined) === (task.pattern === undefined)) {
        problem('an SFTP extract names a path or a pattern (one of them)', ['tasks', i]);
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
        const places = new Set(extracts.map((t) => (t.source === 'sftp' ? `sftp:${t.connectionId}:${t.archiveFolder ?? ''}` : 'file')));
        if (places.size > 1) {
          problem('the extracts of one load read from one place: local files, or one SFTP connection with one archive folder', ['tasks', i, 'extracts']);
        }
      }
      seen.set(task.name, task);
    });
    if (!definition.tasks.some((t) => t.type === 'load')) problem('a workflow has a load task', ['tasks']);
  });

export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
