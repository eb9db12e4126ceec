import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { WidgetConfig } from '../../../../core/widgets/config.ts';
import type { Wire } from '../api.ts';
import { currentDirectory } from '../directory-scope.ts';
import type { Column, ListElement } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { when } from '../states.ts';

type Config = Wire<WidgetConfig>;
/** The configuration being designed (undefined: a new one), and which opening of the designer this is: each starts from the saved configuration. */
type Open = { config: Config | undefined; opening: number };

/**
 * The Widgets section: the saved configurations, the designer for a new or chosen one, its embed
 * snippets and tokens once saved, and the origins allowed to show the widget.
 *
 * @summary Widget configurations, designed and embedded.
 * @attr can-edit - The signed-in user is an admin (allowed origins change).
 */
export class WidgetsElement extends LitElement {
  static override styles = shared;

  static override properties = { canEdit: { type: Boolean, attribute: 'can-edit' }, open: { state: true } };

  declare canEdit: boolean;
  declare open: Open | undefined;

  constructor() {
    super();
    this.canEdit = false;
  }

  #openings = 0;

  async #show(config: Config | undefined): Promise<void> {
    this.open = { config, opening: ++this.#openings };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#designer-title')?.focus();
  }

  #onSaved(event: CustomEvent<{ config: Config }>): void {
    this.open = { ...this.open!, config: event.detail.config };
    this.renderRoot.querySelector<ListElement>('bw-list')?.reload();
  }

  override render(): TemplateResult {
    const columns: Column<Config>[] = [
      { label: 'Name', cell: (w) => w.name },
      { label: 'Id', cell: (w) => String(w.id) },
      { label: 'Directory', cell: (w) => String(w.directoryId) },
      { label: 'Key metrics', cell: (w) => w.keyMetrics.map((m) => m.label).join(', ') || '—' },
      { label: 'Updated', cell: (w) => when(w.updatedAt) },
      { label: 'Actions', cell: (w) => html`<button type="button" aria-label="Design and embed ${w.name}" @click=${() => this.#show(w)}>Design and embed</button>` },
    ];
    const open = this.open;
    return html`
      <bw-list source="/api/widget-configs" label="Widget configurations" noun="widget configurations" .columns=${columns}></bw-list>
      <p><button type="button" class="primary" @click=${() => this.#show(undefined)}>New widget configuration</button></p>
      ${open
        ? html`<section aria-labelledby="designer-title">
            <h2 id="designer-title" tabindex="-1">${open.config ? `Design “${open.config.name}”` : 'New widget configuration'}</h2>
            ${keyed(open.opening, html`<bw-widget-designer .config=${open.config} directory-id=${currentDirectory() ?? '1'} @saved=${this.#onSaved}></bw-widget-designer>`)}
            ${open.config
              ? html`<h2>Embed “${open.config.name}”</h2><bw-widget-embed .config=${open.config}></bw-widget-embed>`
              : html`<p class="status">Save the configuration to embed it.</p>`}
          </section>`
        : nothing}
      <section aria-labelledby="origins-title">
        <h2 id="origins-title">Allowed origins</h2>
        <p>Pages on these origins may show the widget (the browser asks the server first). Salesforce pages have their own, e.g. https://yourdomain.lightning.force.com.</p>
        <bw-allowed-origins ?can-edit=${this.canEdit}></bw-allowed-origins>
      </section>
    `;
  }
}
