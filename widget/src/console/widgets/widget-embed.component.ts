import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { WidgetConfig } from '../../../../core/widgets/config.ts';
import { api, type Wire } from '../api.ts';
import { designer } from '../designer.styles.ts';
import { shared } from '../shared.styles.ts';
import { failure, when } from '../states.ts';

type Issued = { token: string; expiresAt: string; userEmail: string | null };

const lifetimes = [
  { seconds: 3600, label: 'an hour' },
  { seconds: 86_400, label: 'a day' },
  { seconds: 2_592_000, label: '30 days' },
  { seconds: 31_536_000, label: 'a year' },
] as const;

/** The snippets that show configuration `id` from this server, with `token` (or a placeholder until one is minted). */
export function snippets(server: string, id: number, token: string): { name: string; text: string }[] {
  return [
    {
      name: 'Script tag (any web page)',
      text: `<script type="module" src="${server}/widget/strategic-accounts.js"></script>\n<strategic-accounts api="${server}" config="${id}" token="${token}"></strategic-accounts>`,
    },
    {
      name: 'Salesforce Lightning (LWC, from widget/salesforce)',
      text: `<c-bellwether-strategic-accounts server-url="${server}" config-id="${id}" embed-token="${token}"></c-bellwether-strategic-accounts>`,
    },
    {
      name: 'Salesforce Visualforce page',
      text: `<apex:page showHeader="false" sidebar="false" standardStylesheets="false" applyHtmlTag="false" applyBodyTag="false" docType="html-5.0">
  <html lang="en">
    <head><script src="{!$Resource.BellwetherStrategicAccounts}" defer="defer"></script></head>
    <body><strategic-accounts api="${server}" config="${id}" token="${token}"></strategic-accounts></body>
  </html>
</apex:page>`,
    },
  ];
}

/**
 * "Embed" for a saved configuration: mints an embed token (POST /api/embed-tokens), scoped to one
 * user's accounts or not, with an expiry, and gives the snippets that show the widget with it, each
 * with a copy button. Tokens are not stored: one shown here is shown once.
 *
 * @summary A widget configuration's embed token and snippets.
 * @prop config - The saved configuration.
 */
export class WidgetEmbedElement extends LitElement {
  static override styles = [shared, designer];

  static override properties = { config: { attribute: false }, issued: { state: true }, error: { state: true }, copied: { state: true } };

  declare config: Wire<WidgetConfig>;
  declare issued: Issued | undefined;
  declare error: unknown;
  declare copied: string;

  constructor() {
    super();
    this.copied = '';
  }

  async #mint(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const userEmail = String(form.get('userEmail') ?? '').trim();
    this.error = undefined;
    try {
      const issued = await api<{ token: string; expiresAt: string }>('/api/embed-tokens', {
        method: 'POST',
        body: { configId: this.config.id, expiresInSeconds: Number(form.get('expiresInSeconds')), ...(userEmail ? { userEmail } : {}) },
      });
      this.issued = { ...issued, userEmail: userEmail || null };
      this.copied = '';
    } catch (error) {
      this.error = error;
    }
  }

  async #copy(what: string, text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = `${what}: copied.`;
    } catch {
      // Without clipboard access (an insecure origin, a denied permission) the fields are there to select and copy by hand.
      this.copied = `${what}: the browser refused the clipboard; select the text and copy it.`;
    }
  }

  override render(): TemplateResult {
    const token = this.issued?.token ?? 'EMBED_TOKEN';
    return html`
      <form class="inline" aria-label="Mint an embed token" @submit=${this.#mint}>
        <label>Only the accounts of (email, optional) <input type="email" name="userEmail" autocomplete="off" /></label>
        <label>Valid for
          <select name="expiresInSeconds">${lifetimes.map((l) => html`<option value=${l.seconds} ?selected=${l.seconds === 86_400}>${l.label}</option>`)}</select>
        </label>
        <button type="submit" class="primary">Mint a token</button>
      </form>
      ${this.error ? failure(this.error, 'No token') : nothing}
      ${this.issued
        ? html`<div class="actions">
            <label>Embed token (${this.issued.userEmail ? `accounts of ${this.issued.userEmail}` : 'every account'}, until ${when(this.issued.expiresAt)})
              <input readonly .value=${this.issued.token} size="40" /></label>
            <button type="button" @click=${() => this.#copy('The token', this.issued!.token)}>Copy the token</button>
          </div>`
        : html`<p class="note">Mint a token to fill it into the snippets below.</p>`}
      ${snippets(location.origin, this.config.id, token).map(
        // A token is one long word: the lines wrap, so each snippet gets room for them.
        (s) => html`<label>${s.name} <textarea class="code" readonly rows=${s.text.split('\n').length + 3} .value=${s.text}></textarea></label>
          <button type="button" aria-label="Copy: ${s.name}" @click=${() => this.#copy(s.name, s.text)}>Copy</button>`,
      )}
      <p role="status" class="done">${this.copied}</p>
    `;
  }
}
