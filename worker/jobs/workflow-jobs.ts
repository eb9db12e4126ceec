import type { WorkflowDefinition } from '../../core/workflows/definition.ts';
import type { SyncJob } from './sync-job.ts';

type CsvDialectInput = { delimiter?: string | undefined; quote?: string | undefined; encoding?: 'utf-8' | 'latin1' | undefined };

type Task = WorkflowDefinition['tasks'][number];
type ExtractTask = Extract<Task, { type: 'extract' }>;

/**
 * The sync jobs a workflow version runs, one per load task, in order: each reads the files its
 * extract tasks name (local ones inside `importDir`). Definitions are checked when saved, so every
 * reference resolves here.
 */
export function syncJobsOf(definition: WorkflowDefinition, workflow: { id: number; version: number }, importDir: string): SyncJob[] {
  const extracts = new Map(definition.tasks.filter((t): t is ExtractTask => t.type === 'extract').map((t) => [t.name, t]));
  return definition.tasks.flatMap((task): SyncJob[] => {
    if (task.type !== 'load') return [];
    const feeds = Object.entries(task.extracts).map(([kind, name]) => [kind, extracts.get(name!)!] as const);
    const fullExport = feeds.flatMap(([kind, e]) => (e.source !== 'salesforce' && e.fullExport ? [kind as 'accounts' | 'contacts' | 'teamMembers'] : []));
    const common = {
      directoryId: task.directoryId,
      mapping: task.mapping,
      workflow,
      ...(fullExport.length > 0 ? { fullExport } : {}),
      ...(task.mailingListName ? { mailingListName: task.mailingListName } : {}),
    };
    const salesforce = feeds.flatMap(([kind, e]) => (e.source === 'salesforce' ? [[kind, e] as const] : []));
    if (salesforce.length > 0) {
      const objects = Object.fromEntries(
        salesforce.map(([kind, { fields, listView, fullResync }]) => [
          kind,
          { ...(fields ? { fields } : {}), ...(listView ? { listView } : {}), ...(fullResync ? { fullResync } : {}) },
        ]),
      );
      return [{ ...common, salesforce: { connectionId: salesforce[0]![1].connectionId, objects } }];
    }
    if (feeds.some(([, e]) => e.source === 'upload')) {
      return [{ ...common, uploads: Object.fromEntries(feeds.flatMap(([kind, e]) => (e.source === 'upload' ? [[kind, { file: e.file, ...dialectOf(e) }]] : []))) }];
    }
    const sftp = feeds.flatMap(([, e]) => (e.source === 'sftp' ? [e] : []));
    if (sftp.length === 0) return [{ ...common, files: Object.fromEntries(feeds.map(([kind, e]) => [kind, e.source === 'file' ? e.path : ''])), importDir }];
    const first = sftp[0]!;
    return [
      {
        ...common,
        sftp: {
          connectionId: first.connectionId,
          files: Object.fromEntries(
            feeds.map(([kind, e]) => {
              if (e.source !== 'sftp') return [kind, { path: '' }];
              const where = e.pattern !== undefined ? { pattern: e.pattern } : { path: e.path! };
              return [kind, { ...where, ...dialectOf(e) }];
            }),
          ),
          ...(first.archiveFolder ? { archiveFolder: first.archiveFolder } : {}),
          ...(sftp.some((e) => e.force) ? { force: true } : {}),
        },
      },
    ];
  });
}

/** The CSV settings a file extract gives itself, without the unset ones. */
function dialectOf({ delimiter, quote, encoding }: CsvDialectInput): CsvDialectInput {
  return { ...(delimiter ? { delimiter } : {}), ...(quote ? { quote } : {}), ...(encoding ? { encoding } : {}) };
}
