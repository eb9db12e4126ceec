import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';
import { connectionStyles } from './connections.styles.ts';

/**
 * Connects a Salesforce org: the Salesforce login in this browser (OAuth 2.0 web-server flow, back
 * to the Connections page), or, under "advanced", a headless login by JWT bearer or username and
 * password, which the server tries once before it stores anything.
 *
 * @summary The forms that connect a Salesforce org.
 * @fires saved - A headless connection was stored.
 */
export class SalesforceConnectElement extends LitElement {
  static override styles = [shared, connectionStyles];
  static override properties = { loginRefusal: { attribute: false }, flow: { state: true }, busy: { state: true }, refusal: { state: true } };
  /** Why the Salesforce login did not connect the org, as the server sent the browser back with it. */
  declare loginRefusal: unknown;
  declare flow: 'jwt' | 'password';
  declare busy: boolean;
  declare refusal: unknown;

  constructor() {
    super();
    this.loginRefusal = undefined;
    this.flow = 'jwt';
    this.busy = false;
    this.refusal = undefined;
  }

  /**
   * The browser itself goes to the org's login page and comes back to the Connections page. A
   * navigation, not a form's submission: the console's CSP lets forms post only to this server,
   * and the login page is Salesforce's.
   */
  #login(event: SubmitEvent): void {
    event.preventDefault();
    const query = new URLSearchParams([...new FormData(event.target as HTMLFormElement)].map(([name, value]) => [name, String(value)]));
    location.assign(`/api/salesforce-connections/authorize?${query}`);
  }

  async #headless(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const body = Object.fromEntries([...new FormData(form)].filter(([name, value]) => name !== 'flow-choice' && value !== ''));
    this.busy = true;
    this.refusal = undefined;
    try {
      const saved = await api('/api/salesforce-connections', { method: 'POST', body: { flow: this.flow, ...body } });
      form.reset();
      this.dispatchEvent(new CustomEvent('saved', { detail: saved, bubbles: true, composed: true }));
    } catch (error) {
      this.refusal = error;
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`<form class="inline" aria-label="Connect a Salesforce org" @submit=${this.#login}>
        <label>Name <input name="name" required /></label>
        <label>Login server <input name="loginUrl" type="url" required value="https://login.salesforce.com" /></label>
        <button type="submit" class="primary">Connect a Salesforce org</button>
      </form>
      ${this.loginRefusal === undefined ? nothing : failure(this.loginRefusal, 'Not connected')}
      <details>
        <summary>Advanced: headless login (JWT bearer or username and password)</summary>
        <form class="fields" aria-label="Connect an org headless" @submit=${this.#headless}>
          <fieldset>
            <legend>Login</legend>
            <label class="choice"><input type="radio" name="flow-choice" value="jwt" .checked=${this.flow === 'jwt'} @change=${() => (this.flow = 'jwt')} /> JWT bearer</label>
            <label class="choice"><input type="radio" name="flow-choice" value="password" .checked=${this.flow === 'password'} @change=${() => (this.flow = 'password')} /> Username and password</label>
          </fieldset>
          <label>Name <input name="name" required /></label>
          <label>Login server <input name="loginUrl" type="url" required value="https://login.salesforce.com" /></label>
          <label>Username <input name="username" required autocomplete="off" /></label>
          ${this.flow === 'jwt'
            ? html`<label>Connected App consumer key <input name="clientId" required /></label>
                <label>Private key (PKCS#8 PEM) <textarea name="privateKey" rows="4" required></textarea></label>`
            : html`<label>Password <input name="password" type="password" required autocomplete="new-password" /></label>
                <label>Security token (outside trusted IP ranges) <input name="securityToken" type="password" autocomplete="off" /></label>
                <label>Connected App consumer key (optional) <input name="clientId" /></label>
                <label>Connected App consumer secret (optional) <input name="clientSecret" type="password" autocomplete="off" /></label>`}
          ${this.refusal === undefined ? nothing : failure(this.refusal, 'Not connected')}
          <div class="actions"><button type="submit" class="primary" ?disabled=${this.busy}>${this.busy ? 'Logging in…' : 'Log in and connect'}</button></div>
        </form>
      </details>`;
  }
}
