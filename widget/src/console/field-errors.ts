import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from './api.ts';

/**
 * The fields a refusal names, by path: the server writes a refused body as
 * `invalid <what>: <path>: <message>; <path>: <message>`, so a form can show each message at its field.
 */
export function fieldErrors(error: unknown): Map<string, string> {
  const found = new Map<string, string>();
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return found;
  for (const part of error.message.replace(/^invalid [^:]+: /, '').split('; ')) {
    const match = /^([\w.]+): (.*)$/s.exec(part);
    if (match) found.set(match[1]!, match[2]!);
  }
  return found;
}

/** The message for `path`, inside its field's label so it is read with the field. */
export function fieldError(errors: Map<string, string>, path: string): TemplateResult | typeof nothing {
  const message = errors.get(path);
  return message ? html`<span class="error">${message}</span>` : nothing;
}
