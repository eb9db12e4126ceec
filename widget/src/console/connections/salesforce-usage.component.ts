import { LitElement, html, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { SalesforceUsage } from '../../../../core/connections/salesforce-usage.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';
import { connectionStyles } from './connections.styles.ts';

/**
 * What a Salesforce connection logs in as now, and the org's API requests today, read when shown
 * (one login and one API request: `GET /api/salesforce-connections/:id/usage`).
 *
 * @summary A Salesforce org's user, API version and API usage today.
 * @attr connection-id - The connection's id.
 */
export class SalesforceUsageElement extends LitElement {
  static override styles = [shared, connectionStyles];
  static override properties = { connectionId: { type: Number, attribute: 'connection-id' } };
  declare connectionId: number;

  readonly #usage = new Task(this, {
    task: ([id], { signal }) => api<SalesforceUsage>(`/api/salesforce-connections/${id}/usage`, { signal }),
    args: () => [this.connectionId] as const,
  });

  constructor() {
    super();
    this.connectionId = 0;
  }

  override render(): TemplateResult {
    return html`${this.#usage.render({
      pending: () => loading('the usage'),
      error: (error) => failure(error, 'The org could not be read'),
      complete: (u) => {
        const used = u.dailyApiRequests.max - u.dailyApiRequests.remaining;
        return html`<dl class="usage">
          <dt>Org</dt><dd>${u.orgId}</dd>
          <dt>User</dt><dd>${u.username}</dd>
          <dt>API version</dt><dd>${u.apiVersion}</dd>
          <dt>API requests today</dt><dd>${used.toLocaleString()} of ${u.dailyApiRequests.max.toLocaleString()} (${u.dailyApiRequests.remaining.toLocaleString()} left)</dd>
        </dl>`;
      },
    })}`;
  }
}
