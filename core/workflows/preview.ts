import { z } from 'zod';
import { objectCountsSchema, rowErrorSchema } from '../runs/queries.ts';

/** How many row errors a preview shows per load: enough to see what is wrong, small enough to read. */
export const previewRowErrors = 20;

/** A role value the value mapping does not name, and how many source rows hold it. */
const unmappedValueSchema = z.object({ object: z.enum(['clientRoles', 'managementRoles']), field: z.string(), value: z.string(), rows: z.number().int() });

/**
 * What one load task of a previewed run would do: counts as a run reports them, its first row
 * errors, the role values nobody mapped, and per distribute task reading its mailing list how
 * many contacts would be invited (the rest skipped: deleted, no email, opted out).
 */
export const loadPreviewSchema = z.object({
  task: z.string(),
  directoryId: z.number().int(),
  state: z.enum(['succeeded', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  counts: z.record(z.string(), objectCountsSchema),
  errorCount: z.number().int(),
  errors: z.array(rowErrorSchema).describe(`the first ${previewRowErrors} row errors, in source order`),
  unmappedValues: z.array(unmappedValueSchema),
  mailingListMembers: z.number().int().nullable(),
  distributions: z.array(z.object({ task: z.string(), surveyId: z.number().int(), invited: z.number().int(), skipped: z.number().int() })),
});
export type LoadPreview = z.infer<typeof loadPreviewSchema>;

/** A dry run: every load task in order, each seeing what the ones before it would have written; nothing of it is kept. */
export const workflowPreviewSchema = z.object({ loads: z.array(loadPreviewSchema) });
export type WorkflowPreview = z.infer<typeof workflowPreviewSchema>;
