import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from './api.ts';

/**
 * The server's refusal of a form, field by field: a 400 says `invalid <what>: <path>: <message>; ...`,
 * and each message is filed under the path it names (`extraQuestions.1.key`), so the form shows it at
 * that field. Null for any other error.
 */
export function fieldErrors(error: unknown): Map<string, string[]> | null {
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return null;
  const listed = /^invalid [^:]+: ([\s\S]*)$/.exec(error.message);
  if (!listed) return null;
  const errors = new Map<string, string[]>();
  for (const part of listed[1]!.split('; ')) {
    const split = part.indexOf(': ');
    const path = split < 0 ? '(body)' : part.slice(0, split);
    errors.set(path, [...(errors.get(path) ?? []), split < 0 ? part : part.slice(split + 2)]);
  }
  return errors;
}

/** A path without its list positions: `recipients.emails.0` is a problem of the one field `recipients.emails`. */
function withoutPositions(path: string): string {
  return path
    .split('.')
    .filter((s) => !/^\d+$/.test(s))
    .join('.');
}

/** The messages a field shows: those at its path, and those at positions of the list it is (`recipients.emails.0`). */
function messagesAt(errors: Map<string, string[]> | null, path: string): string[] {
  return [...(errors ?? [])].flatMap(([at, messages]) => (at === path || withoutPositions(at) === path ? messages : []));
}

/** Whether the refusal names the field at `path`. */
export function hasFieldError(errors: Map<string, string[]> | null, path: string): boolean {
  return messagesAt(errors, path).length > 0;
}

/** Whether every message has a field of `paths` to be shown at (else the form shows the refusal whole). */
export function allPlaced(errors: Map<string, string[]> | null, paths: readonly string[]): boolean {
  return errors !== null && [...errors.keys()].every((at) => paths.includes(at) || paths.includes(withoutPositions(at)));
}

/**
 * A field's messages; nothing when it has none. Inside the field's label (no `id`) a span the label
 * reads with the field; outside it a paragraph with the `id` its control names in aria-describedby.
 */
export function fieldError(errors: Map<string, string[]> | null, path: string, id?: string): TemplateResult | typeof nothing {
  const messages = messagesAt(errors, path);
  if (messages.length === 0) return nothing;
  return id === undefined ? html`<span class="error">${messages.join('; ')}</span>` : html`<p class="error" id=${id}>${messages.join('; ')}</p>`;
}
