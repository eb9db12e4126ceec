import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { OutboxMessage } from '../../../../core/outbox.ts';
import type { Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { when } from '../states.ts';
import { styles } from './outbox.styles.ts';

type Message = Wire<OutboxMessage>;

/**
 * The web links of a message's HTML, with their text, so each is labelled with where it goes before
 * anyone follows it. A document without a window runs nothing and loads nothing; its style
 * attributes are renamed first, as the browser checks those against this page's CSP (and reports
 * each) even in such a document.
 */
function linksOf(body: string): { text: string; href: string }[] {
  const parsed = document.implementation.createHTMLDocument('');
  parsed.documentElement.innerHTML = body.replace(/(\s)style\s*=/gi, '$1data-style=');
  return [...parsed.querySelectorAll('a[href]')]
    .map((a) => ({ text: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' }))
    .filter((link) => /^https?:\/\//i.test(link.href));
}

/**
 * The local outbox (GET /api/outbox): the mail kept instead of sent, newest first, paged. A message
 * opens above the list: its HTML (GET /api/outbox/:id/body, whose own CSP loads nothing from
 * elsewhere) in a frame sandboxed without scripts, or its text, and its links listed with their
 * addresses: a link inside the frame goes nowhere (the sandbox keeps it from the top window).
 *
 * @summary The outbox, and the message opened in a sandboxed frame.
 */
export class OutboxElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = { open: { state: true } };

  declare open: Message | undefined;

  constructor() {
    super();
    this.open = undefined;
  }

  async #show(message: Message): Promise<void> {
    this.open = message;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('article h2')?.focus();
  }

  override render(): TemplateResult {
    const columns: Column<Message>[] = [
      { label: 'Subject', cell: (m) => html`<button type="button" aria-label="${m.subject}, to ${m.to}" @click=${() => this.#show(m)}>${m.subject}</button>` },
      { label: 'To', cell: (m) => m.to },
      { label: 'From', cell: (m) => m.from },
      { label: 'Kept', cell: (m) => when(m.createdAt) },
    ];
    return html`${this.open ? this.#message(this.open) : nothing}
      <bw-list source="/api/outbox" label="Messages, newest first" noun="messages" paged .columns=${columns}></bw-list>`;
  }

  #message(message: Message): TemplateResult {
    const links = message.html ? linksOf(message.html) : [];
    return html`<article aria-labelledby="message-subject">
      <h2 id="message-subject" tabindex="-1">${message.subject}</h2>
      <dl>
        <dt>From</dt><dd>${message.from}</dd>
        <dt>To</dt><dd>${message.to}</dd>
        <dt>Kept</dt><dd>${when(message.createdAt)}</dd>
      </dl>
      ${message.html
        ? html`<iframe sandbox="" title="The message “${message.subject}” as its recipient sees it" src="/api/outbox/${message.id}/body"></iframe>`
        : html`<pre>${message.text ?? ''}</pre>`}
      ${links.length
        ? html`<h3>Links in this message</h3>
            <ul class="links">${links.map((link) => html`<li><a href=${link.href} target="_blank" rel="noopener noreferrer">${link.text || link.href}</a> → <code>${link.href}</code></li>`)}</ul>`
        : nothing}
      <button type="button" @click=${() => (this.open = undefined)}>Close the message</button>
    </article>`;
  }
}
