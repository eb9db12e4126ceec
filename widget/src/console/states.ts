import { html, type TemplateResult } from 'lit';
import { describeError } from './api.ts';

// The three states every page shows while it reads the API: loading, empty, and the server's error.

export function loading(what: string): TemplateResult {
  return html`<p class="status" role="status">Loading ${what}…</p>`;
}

export function empty(message: string): TemplateResult {
  return html`<p class="status" role="status">${message}</p>`;
}

/** The server's `{ error: { code, message } }`, placed by the caller next to what caused it. */
export function failure(error: unknown, context?: string): TemplateResult {
  const { code, message } = describeError(error);
  return html`<p class="error" role="alert">${context ? html`${context}: ` : ''}<code>${code}</code>${message}</p>`;
}

/** A date and time as the reader's browser writes them; empty for none. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
