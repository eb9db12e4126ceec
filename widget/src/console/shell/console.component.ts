import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { User } from '../../../../server/people/users.ts';
import { api, ApiError } from '../api.ts';
import { followLink, navigate, routeOf, sections, type PageName, type Route } from '../routes.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';
import { currentDirectory, inDirectory } from '../directory-scope.ts';
import { attributesPage, accountsPage, contactsPage, hierarchyPage, mailingListPage, mailingListsPage } from '../pages/directory-pages.ts';
import { styles } from './console.styles.ts';
import { connectionsTabs } from '../uploads/connections-tabs.ts';

/** Pages anyone may open: signing in, and the links that make an account. */
const openPages: readonly PageName[] = ['sign-in', 'setup', 'invite'];

const titles: Record<PageName, string> = {
  home: 'Bellwether', 'sign-in': 'Sign in', setup: 'Create the first admin', invite: 'Accept your invitation', 'my-accounts': 'My accounts',
  accounts: 'Directory', hierarchy: 'Directory', contacts: 'Directory', contact: 'Contact', account: 'Account',
  'mailing-lists': 'Directory', 'mailing-list': 'Mailing list', attributes: 'Directory', connections: 'Connections', uploads: 'Connections', workflows: 'Workflows', workflow: 'Workflow', runs: 'Runs', run: 'Run',
  surveys: 'Surveys', widgets: 'Widgets', outbox: 'Outbox', settings: 'Settings', people: 'Settings', directories: 'Settings', alerts: 'Settings', 'not-found': 'Page not found',
};

/**
 * The admin console: who is signed in, the sections' navigation, and the page the address names.
 * Signed out, any page but the open ones shows the sign-in form, and signing in shows the page asked
 * for; a viewer sees My accounts only.
 *
 * @summary Bellwether's admin console, one page per path.
 */
export class ConsoleElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = {
    route: { state: true },
    user: { state: true },
    sessionError: { state: true },
  };

  /** Undefined while the session is read; null when no one is signed in. */
  declare user: User | null | undefined;
  declare route: Route;
  declare sessionError: unknown;

  readonly #onPopState = (): void => this.#show();
  readonly #onClick = (event: MouseEvent): void => followLink(event);

  constructor() {
    super();
    this.route = routeOf(new URL(location.href));
    this.user = undefined;
    this.sessionError = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('popstate', this.#onPopState);
    this.addEventListener('click', this.#onClick);
    void this.#readSession();
  }

  override disconnectedCallback(): void {
    removeEventListener('popstate', this.#onPopState);
    this.removeEventListener('click', this.#onClick);
    super.disconnectedCallback();
  }

  async #readSession(): Promise<void> {
    try {
      this.user = (await api<{ user: User }>('/api/session')).user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.user = null;
      else this.sessionError = error;
    }
    this.#show();
  }

  /** Shows the page the address names, after the redirects a role or `/` asks for. */
  #show(): void {
    const route = routeOf(new URL(location.href));
    const home = this.user?.role === 'viewer' ? '/my-accounts' : '/directory';
    if (this.user && route.page === 'home') return navigate(home, { replace: true });
    if (this.user && route.page === 'settings') return navigate(this.user.role === 'admin' ? '/settings/people' : '/settings/directories', { replace: true });
    if (this.user?.role === 'viewer' && route.page !== 'my-accounts' && !openPages.includes(route.page)) return navigate(home, { replace: true });
    if (this.user && route.page === 'sign-in') return navigate(home, { replace: true });
    const moved = this.route.page !== route.page || JSON.stringify(this.route.params) !== JSON.stringify(route.params);
    this.route = route;
    document.title = `${titles[route.page]} · Bellwether`;
    // A screen reader hears the new page's title, and Tab continues from there.
    if (moved) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('h1')?.focus());
  }

  #onSignedIn(event: CustomEvent<{ user: User }>): void {
    this.user = event.detail.user;
    this.#show();
  }

  async #signOut(): Promise<void> {
    try {
      await api('/api/session', { method: 'DELETE' });
      this.user = null;
      navigate('/sign-in');
    } catch (error) {
      this.sessionError = error;
    }
  }

  override render(): TemplateResult {
    const { page } = this.route;
    if (page === 'setup' || page === 'invite') {
      return html`<main class="alone"><h1 tabindex="-1">${titles[page]}</h1>
        <bw-join kind=${page} token=${this.route.query.get('token') ?? ''} @signed-in=${this.#onSignedIn}></bw-join></main>`;
    }
    if (this.sessionError) return html`<main class="alone"><h1 tabindex="-1">Bellwether</h1>${failure(this.sessionError, 'Who is signed in could not be read')}</main>`;
    if (this.user === undefined) return html`<main class="alone">${loading('the console')}</main>`;
    if (this.user === null) {
      return html`<main class="alone"><h1 tabindex="-1">Sign in to Bellwether</h1><bw-sign-in .refused=${this.route.query.get('refused')} @signed-in=${this.#onSignedIn}></bw-sign-in></main>`;
    }
    return html`
      <header>
        <span class="product">Bellwether</span>
        ${this.user.role === 'viewer' ? nothing : html`<bw-directory-picker section=${this.route.page === 'runs' ? '/runs' : this.route.page === 'alerts' ? '/settings/alerts' : '/directory'} address=${location.pathname + location.search}></bw-directory-picker>`}
        <div class="who">
          <span>${this.user.name || this.user.email} (${this.user.role})</span>
          <button type="button" @click=${this.#signOut}>Sign out</button>
        </div>
      </header>
      ${this.#navigation(this.user)}
      <main><h1 tabindex="-1">${titles[page]}</h1>${this.#page(this.user)}</main>
    `;
  }

  #navigation(user: User): TemplateResult {
    const link = (name: string, path: string, current: boolean) => html`<li><a href=${path} aria-current=${current ? 'page' : 'false'}>${name}</a></li>`;
    return html`<nav class="sections" aria-label="Sections"><ul>
      ${user.role === 'viewer' ? nothing : sections.map((s) => link(s.name, s.name === 'Directory' || s.name === 'Runs' ? inDirectory(s.path) : s.path, (s.pages as readonly PageName[]).includes(this.route.page)))}
      ${link('My accounts', '/my-accounts', this.route.page === 'my-accounts')}
    </ul></nav>`;
  }

  /** People is for admins; editors read the directories and the alert rules. */
  #settingsTabs(user: User): TemplateResult {
    const tab = (name: string, path: string, page: PageName) => html`<li><a href=${path} aria-current=${this.route.page === page ? 'page' : 'false'}>${name}</a></li>`;
    return html`<nav aria-label="Settings"><ul class="tabs">
      ${user.role === 'admin' ? tab('People', '/settings/people', 'people') : nothing}
      ${tab('Directories', '/settings/directories', 'directories')}
      ${tab('Alerts and webhooks', inDirectory('/settings/alerts'), 'alerts')}
    </ul></nav>`;
  }

  #page(user: User): TemplateResult {
    const { page, params, query } = this.route;
    switch (page) {
      case 'my-accounts': return html`<bw-my-accounts></bw-my-accounts>`;
      case 'accounts': return accountsPage();
      case 'hierarchy': return hierarchyPage();
      case 'contacts': return contactsPage();
      case 'contact': return html`<bw-contact external-id=${params.externalId!}></bw-contact>`;
      case 'account': return html`<bw-account external-id=${params.externalId!}></bw-account>`;
      case 'mailing-lists': return mailingListsPage();
      case 'mailing-list': return mailingListPage(params.id!);
      case 'attributes': return attributesPage();
      case 'connections': return html`${connectionsTabs('connections')}<bw-connections ?can-edit=${user.role === 'admin'} connected=${query.get('connected') ?? ''}
        refused-code=${query.get('refusedCode') ?? ''} refused-message=${query.get('refusedMessage') ?? ''}></bw-connections>`;
      case 'uploads': return html`${connectionsTabs('uploads')}<bw-uploads ?can-upload=${user.role === 'admin'}></bw-uploads>`;
      case 'workflows': return html`<bw-workflows></bw-workflows>`;
      case 'workflow': return html`<bw-workflow-builder workflow-id=${params.id === 'new' ? '' : params.id!} ?can-edit=${user.role !== 'viewer'}></bw-workflow-builder>`;
      case 'runs': return html`<bw-runs workflow=${query.get('workflow') ?? ''} state=${query.get('state') ?? ''} date=${query.get('date') ?? ''}></bw-runs>`;
      case 'run': return html`<bw-run run-id=${params.id!}></bw-run>`;
      case 'surveys': return html`<bw-surveys></bw-surveys>`;
      case 'widgets': return html`<bw-widgets ?can-edit=${user.role === 'admin'}></bw-widgets>`;
      case 'outbox': return html`<bw-outbox></bw-outbox>`;
      case 'people': return html`${this.#settingsTabs(user)}<bw-people></bw-people>`;
      case 'directories': return html`${this.#settingsTabs(user)}<bw-directories ?can-edit=${user.role === 'admin'}></bw-directories>`;
      // Webhooks carry answers out of the product: an admin's only.
      case 'alerts': return html`${this.#settingsTabs(user)}<bw-alert-rules directory=${currentDirectory() ?? ''} ?can-edit=${user.role === 'admin'}></bw-alert-rules>
        ${user.role === 'admin' ? html`<bw-webhooks directory=${currentDirectory() ?? ''}></bw-webhooks>` : nothing}`;
      default: return html`<p>There is no page at ${location.pathname}. <a href="/">Go to the start</a>.</p>`;
    }
  }
}
