import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { DistributionSummary, Recipient } from '../../../../core/surveys/distributions.ts';
import type { Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { when } from '../states.ts';
import { currentDirectory } from '../directory-scope.ts';

type Distribution = Wire<DistributionSummary>;

const skipReasons: Record<string, string> = { deleted: 'deleted', no_email: 'no email', opted_out: 'opted out' };
const states = [
  { value: '', label: 'Every state' }, { value: 'sent', label: 'Sent' }, { value: 'skipped', label: 'Skipped' }, { value: 'failed', label: 'Failed' },
  { value: 'in_doubt', label: 'In doubt' }, { value: 'pending', label: 'Pending' },
];

/**
 * The distributions (GET /api/distributions): each with its recipients per state (skipped ones by
 * reason), how often its survey page was opened and by how many, and its answers; one opens to its
 * recipients (GET /api/distributions/:id/recipients), filtered by state.
 *
 * @summary Distributions with their recipients, opens and answers.
 */
export class DistributionsElement extends LitElement {
  static override styles = shared;

  static override properties = { open: { state: true }, state: { state: true } };

  declare open: Distribution | undefined;
  declare state: string;

  constructor() {
    super();
    this.state = '';
  }

  async #show(distribution: Distribution): Promise<void> {
    this.open = distribution;
    this.state = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#recipients-title')?.focus();
  }

  override render(): TemplateResult {
    const skipped = (d: Distribution) =>
      `${d.recipients.skipped}${d.recipients.skipped ? ` (${Object.entries(d.skipped).map(([reason, n]) => `${skipReasons[reason] ?? reason}: ${n}`).join(', ')})` : ''}`;
    const columns: Column<Distribution>[] = [
      { label: 'Distribution', cell: (d) => String(d.id) },
      { label: 'Survey', cell: (d) => String(d.surveyId) },
      { label: 'Sent at', cell: (d) => when(d.sendAt) },
      { label: 'State', cell: (d) => d.state },
      { label: 'Sent', cell: (d) => String(d.recipients.sent) },
      { label: 'Skipped', cell: skipped },
      { label: 'Failed', cell: (d) => String(d.recipients.failed) },
      { label: 'In doubt', cell: (d) => String(d.recipients.inDoubt) },
      { label: 'Page opens', cell: (d) => (d.linkType === 'individual' ? `${d.pageOpens} (by ${d.openedBy})` : String(d.pageOpens)) },
      { label: 'Answers', cell: (d) => String(d.answers) },
      { label: 'Recipients', cell: (d) => html`<button type="button" aria-label="Recipients of distribution ${d.id}" @click=${() => this.#show(d)}>Recipients</button>` },
    ];
    const source = `/api/distributions?${new URLSearchParams({ directory: currentDirectory() ?? '1' })}`;
    return html`<bw-list source=${source} label="Distributions to this directory's contacts, newest first" noun="distributions" .columns=${columns}></bw-list>
      ${this.open ? this.#recipients(this.open) : nothing}`;
  }

  #recipients(d: Distribution): TemplateResult {
    const columns: Column<Wire<Recipient>>[] = [
      { label: 'Contact', cell: (r) => r.contactExternalId },
      { label: 'Email', cell: (r) => r.email ?? '' },
      { label: 'State', cell: (r) => (r.state === 'skipped' ? `skipped: ${skipReasons[r.skipReason ?? ''] ?? r.skipReason}` : r.state.replace('_', ' ')) },
      { label: 'Error', cell: (r) => r.error ?? '' },
      { label: 'Sent', cell: (r) => when(r.sentAt) },
      { label: 'Opened', cell: (r) => when(r.openedAt) },
      { label: 'Answered', cell: (r) => when(r.answeredAt) },
    ];
    const source = `/api/distributions/${d.id}/recipients${this.state ? `?state=${this.state}` : ''}`;
    return html`<section aria-labelledby="recipients-title">
      <h3 id="recipients-title" tabindex="-1">Recipients of distribution ${d.id}</h3>
      <label>State <select @change=${(e: Event) => (this.state = (e.target as HTMLSelectElement).value)}>
        ${states.map((s) => html`<option value=${s.value} ?selected=${s.value === this.state}>${s.label}</option>`)}
      </select></label>
      <bw-list source=${source} label="Recipients of distribution ${d.id}" noun="recipients" paged .columns=${columns}></bw-list>
      <button type="button" @click=${() => (this.open = undefined)}>Close the recipients</button>
    </section>`;
  }
}
