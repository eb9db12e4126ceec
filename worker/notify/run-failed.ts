import type { Mailer } from '../../core/mail.ts';
import type { RunSummary } from '../../core/runs/queries.ts';

export type FailedRun = Pick<RunSummary, 'id' | 'errorCode' | 'errorMessage' | 'startedAt'> & { workflow: { id: number; name: string; version: number } };

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Tells the workflow's addresses that a run failed for good, with the reason and where to read
 * more. One message per run: its Message-ID is the run's, so a mail server sees a repeat as one.
 */
export async function notifyRunFailed(mailer: Mailer, options: { to: readonly string[]; from: string; publicUrl: string; attempts: number }, run: FailedRun): Promise<void> {
  const { workflow } = run;
  const runUrl = `${options.publicUrl}/api/runs/${run.id}`;
  const lines = [
    `The workflow "${workflow.name}" (version ${workflow.version}) failed${options.attempts > 1 ? ` after ${options.attempts} attempts` : ''}.`,
    '',
    `Run ${run.id}, started ${run.startedAt.toISOString()}: ${run.errorCode ?? 'failed'}`,
    run.errorMessage ?? '',
    '',
    `The run, with its row errors: ${runUrl} (admin API key)`,
    `Row errors as CSV: ${runUrl}/errors.csv`,
    '',
    'The directory is as the last successful run left it.',
  ];
  await mailer.send({
    from: options.from,
    to: options.to.join(', '),
    subject: `Workflow "${workflow.name}" failed: ${run.errorCode ?? 'failed'}`,
    text: lines.join('\n'),
    html: lines.map((line) => (line === '' ? '' : `<p>${escapeHtml(line)}</p>`)).join('\n'),
    messageId: `<run-${run.id}-failed@bellwether>`,
  });
}
