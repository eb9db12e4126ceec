import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { WidgetConfig } from '../../../../core/widgets/config.ts';
import { api, describeError, type Wire } from '../api.ts';
import { currentDirectory } from '../directory-scope.ts';
import type { Column, ListElement } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { failure, when } from '../states.ts';

type Config = Wire<WidgetConfig>;
/** The configuration being designed (undefined: a new one), and which opening of the designer this is: each starts from the saved configuration. */
type Open = { config: Config | undefined; opening: number };
/** A configuration on its way out: asked about, being deleted, refused while workflows use it, or refused otherwise, with the server's reason. */
type Removal = { config: Config; state: 'confirming' | 'deleting' } | { config: Config; state: 'in-use' | 'refused'; error: unknown };

/**
 * The Widgets section: the saved configurations, the designer for a new or chosen one, its embed
 * snippets and tokens once saved, and the origins allowed to show the widget. Delete asks first,
 * naming what stops working: every page that embeds the configuration (its embed tokens name it).
 * The server refuses while a workflow's write-back task uses it, naming them; the user may then
 * delete it anyway, which fails those workflows' next runs.
 *
 * @summary Widget configurations, designed and embedded.
 * @attr can-edit - The signed-in user is an admin (allowed origins change).
 */
export class WidgetsElement extends LitElement {
  static override styles = shared;

  static override properties = { canEdit: { type: Boolean, attribute: 'can-edit' }, open: { state: true }, removal: { state: true }, deleted: { state: true } };

  declare canEdit: boolean;
  declare open: Open | undefined;
  declare removal: Removal | undefined;
  /** What the last delete removed, said once the list no longer shows it. */
  declare deleted: string;

  constructor() {
    super();
    this.canEdit = false;
    this.deleted = '';
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

  async #askDelete(config: Config): Promise<void> {
    this.removal = { config, state: 'confirming' };
    this.deleted = '';
    await this.updateComplete;
    // The list renders the question in its own shadow root, after its own update; the safe answer has the focus.
    const list = this.renderRoot.querySelector<ListElement>('bw-list');
    await list?.updateComplete;
    list?.renderRoot.querySelector<HTMLElement>(`#delete-${config.id} button:not(.danger)`)?.focus();
  }

  async #delete(config: Config, force: boolean): Promise<void> {
    this.removal = { config, state: 'deleting' };
    try {
      await api(`/api/widget-configs/${config.id}${force ? '?force=true' : ''}`, { method: 'DELETE' });
      this.removal = undefined;
      this.deleted = `Deleted “${config.name}”.`;
      // The designer and embed snippets of a configuration that is gone would save or mint for nothing.
      if (this.open?.config?.id === config.id) this.open = undefined;
      this.renderRoot.querySelector<ListElement>('bw-list')?.reload();
    } catch (error) {
      this.removal = { config, state: describeError(error).code === 'CONFLICT' ? 'in-use' : 'refused', error };
    }
  }

  #actions(w: Config): TemplateResult {
    const removal = this.removal?.config.id === w.id ? this.removal : undefined;
    if (removal?.state === 'confirming' || removal?.state === 'deleting') {
      return html`<div role="alertdialog" id="delete-${w.id}" aria-labelledby="delete-${w.id}-question" aria-describedby="delete-${w.id}-breaks">
        <p id="delete-${w.id}-question"><strong>Delete “${w.name}” (configuration ${w.id})?</strong></p>
        <p id="delete-${w.id}-breaks">Every page that embeds it stops showing the widget: its snippets and embed tokens name configuration ${w.id}, which will no longer exist.</p>
        <div class="actions">
          <button type="button" class="danger" ?disabled=${removal.state === 'deleting'} @click=${() => this.#delete(w, false)}>Delete “${w.name}”</button>
          <button type="button" @click=${() => (this.removal = undefined)}>Keep it</button>
        </div>
      </div>`;
    }
    if (removal?.state === 'in-use') {
      return html`<div role="alertdialog" id="delete-${w.id}" aria-labelledby="delete-${w.id}-refused">
        <div id="delete-${w.id}-refused">${failure(removal.error, 'Workflows write back with it')}</div>
        <div class="actions">
          <button type="button" class="danger" @click=${() => this.#delete(w, true)}>Delete it and break them</button>
          <button type="button" @click=${() => (this.removal = undefined)}>Keep it</button>
        </div>
      </div>`;
    }
    return html`<div class="actions">
        <button type="button" aria-label="Design and embed ${w.name}" @click=${() => this.#show(w)}>Design and embed</button>
        <button type="button" class="danger" aria-label="Delete: ${w.name}" @click=${() => this.#askDelete(w)}>Delete</button>
      </div>
      ${removal?.state === 'refused' ? failure(removal.error, 'Not deleted') : nothing}`;
  }

  override render(): TemplateResult {
    const columns: Column<Config>[] = [
      { label: 'Name', cell: (w) => w.name },
      { label: 'Id', cell: (w) => String(w.id) },
      { label: 'Directory', cell: (w) => String(w.directoryId) },
      { label: 'Key metrics', cell: (w) => w.keyMetrics.map((m) => m.label).join(', ') || '—' },
      { label: 'Updated', cell: (w) => when(w.updatedAt) },
      { label: 'Actions', cell: (w) => this.#actions(w) },
    ];
    const open = this.open;
    return html`
      <bw-list source="/api/widget-configs" label="Widget configurations" noun="widget configurations" .columns=${columns}></bw-list>
      <p class="done" role="status">${this.deleted}</p>
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
