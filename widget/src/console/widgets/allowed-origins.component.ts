import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { AllowedOrigin } from '../../../../server/widgets/allowed-origins.ts';
import { api, type Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import type { ListElement } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { failure, when } from '../states.ts';

type Origin = Wire<AllowedOrigin>;

/**
 * The origins whose pages may show the widget (GET, POST and DELETE /api/allowed-origins): those
 * added here, and those CORS_ORIGINS gives, which only the environment changes.
 *
 * @summary The widget's allowed origins.
 * @attr can-edit - The signed-in user may add and remove origins (an admin).
 */
export class AllowedOriginsElement extends LitElement {
  static override styles = shared;

  static override properties = { canEdit: { type: Boolean, attribute: 'can-edit' }, error: { state: true } };

  declare canEdit: boolean;
  declare error: unknown;

  constructor() {
    super();
    this.canEdit = false;
  }

  #reload(): void {
    this.renderRoot.querySelector<ListElement>('bw-list')?.reload();
  }

  async #add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this.error = undefined;
    try {
      await api('/api/allowed-origins', { method: 'POST', body: { origin: String(new FormData(form).get('origin') ?? '') } });
      form.reset();
      this.#reload();
    } catch (error) {
      this.error = error;
    }
  }

  async #remove(origin: string): Promise<void> {
    this.error = undefined;
    try {
      await api(`/api/allowed-origins?origin=${encodeURIComponent(origin)}`, { method: 'DELETE' });
      this.#reload();
    } catch (error) {
      this.error = error;
    }
  }

  override render(): TemplateResult {
    const columns: Column<Origin>[] = [
      { label: 'Origin', cell: (o) => o.origin },
      { label: 'From', cell: (o) => (o.source === 'environment' ? 'CORS_ORIGINS' : `${o.addedBy ?? 'the API key'}, ${when(o.addedAt)}`) },
      ...(this.canEdit
        ? [{ label: 'Actions', cell: (o: Origin) => (o.source === 'environment' ? 'change it in CORS_ORIGINS' : html`<button type="button" class="danger" aria-label="Remove ${o.origin}" @click=${() => this.#remove(o.origin)}>Remove</button>`) }]
        : []),
    ];
    return html`
      ${this.canEdit
        ? html`<form class="inline" aria-label="Allow an origin" @submit=${this.#add}>
            <label>Origin (e.g. https://portal.example.com) <input name="origin" required inputmode="url" autocomplete="off" /></label>
            <button type="submit">Allow</button>
          </form>`
        : nothing}
      ${this.error ? failure(this.error, 'Not changed') : nothing}
      <bw-list source="/api/allowed-origins" label="Allowed origins" noun="allowed origins" .columns=${columns}></bw-list>
    `;
  }
}
