import { html, type TemplateResult } from 'lit';

/** The Connections section's pages: the servers and orgs, and the files uploaded to this server. */
export function connectionsTabs(current: 'connections' | 'uploads'): TemplateResult {
  return html`<nav aria-label="Connections"><ul class="tabs">
    <li><a href="/connections" aria-current=${current === 'connections' ? 'page' : 'false'}>Servers and orgs</a></li>
    <li><a href="/connections/uploads" aria-current=${current === 'uploads' ? 'page' : 'false'}>Uploaded files</a></li>
  </ul></nav>`;
}
