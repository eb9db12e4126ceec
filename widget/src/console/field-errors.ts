import { ApiError } from './api.ts';

/**
 * The field a refusal names: the server writes a body's problems as `invalid <what>: <path>: <why>`
 * (core/errors.ts describeIssues), so a form shows the refusal next to the field it is about.
 */
export function fieldOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return undefined;
  return /^invalid [^:]+: ([\w.]+): /.exec(error.message)?.[1];
}
