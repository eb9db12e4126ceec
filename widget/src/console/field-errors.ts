import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from './api.ts';

/**
 * The server's refusal of a form, field by field: a 400 says `invalid <what>: <path>: <message>; ...`;
 * each message is filed under its path without list positions (`recipients.emails.0` is
 * `recipients.emails`), so the form shows it at the field it names. Null for any other error.
 */
export function fieldErrors(error: unknown): Map<string, string[]> | null {
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return null;
  const listed = /^invalid [^:]+: ([\s\S]*)$/.exec(error.message);
  if (!listed) return null;
  const errors = new Map<string, string[]>();
  for (const part of listed[1]!.split('; ')) {
    const split = part.indexOf(': ');
    const path = split < 0 ? '(body)' : part.slice(0, split).split('.').filter((s) => !/^\d+$/.test(s)).join('.');
    errors.set(path, [...(errors.get(path) ?? []), split < 0 ? part : part.slice(split + 2)]);
  }
  return errors;
}

/** A field's messages, with the id its control names in aria-describedby; nothing when it has none. */
export function fieldError(errors: Map<string, string[]> | null, path: string, id: string): TemplateResult | typeof nothing {
  const messages = errors?.get(path);
  return messages ? html`<p class="error" id=${id}>${messages.join('; ')}</p>` : nothing;
}
