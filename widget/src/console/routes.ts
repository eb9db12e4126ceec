// Routing by hand: the path names the page, the History API moves between pages, and `popstate`
// (back, forward, or a link the console followed) tells the shell to show the page the path names.

export type PageName =
  | 'home' | 'sign-in' | 'setup' | 'invite' | 'my-accounts'
  | 'accounts' | 'hierarchy' | 'contacts' | 'contact' | 'account' | 'mailing-lists' | 'mailing-list' | 'attributes' | 'connections' | 'uploads' | 'workflows' | 'workflow' | 'runs' | 'run'
  | 'surveys' | 'widgets' | 'outbox' | 'settings' | 'people' | 'directories' | 'alerts' | 'not-found';

export type Route = { page: PageName; params: Record<string, string>; query: URLSearchParams };

/** The console's sections, in the order the navigation shows them. */
export const sections = [
  { name: 'Directory', path: '/directory', pages: ['accounts', 'hierarchy', 'contacts', 'contact', 'account', 'mailing-lists', 'mailing-list', 'attributes'] },
  { name: 'Connections', path: '/connections', pages: ['connections', 'uploads'] },
  { name: 'Workflows', path: '/workflows', pages: ['workflows', 'workflow'] },
  { name: 'Runs', path: '/runs', pages: ['runs', 'run'] },
  { name: 'Surveys', path: '/surveys', pages: ['surveys'] },
  { name: 'Widgets', path: '/widgets', pages: ['widgets'] },
  { name: 'Outbox', path: '/mail', pages: ['outbox'] },
  { name: 'Settings', path: '/settings', pages: ['settings', 'people', 'directories', 'alerts'] },
] as const satisfies readonly { name: string; path: string; pages: readonly PageName[] }[];

const patterns: [RegExp, PageName, ...string[]][] = [
  [/^\/$/, 'home'],
  [/^\/sign-in$/, 'sign-in'],
  [/^\/setup$/, 'setup'],
  [/^\/invite$/, 'invite'],
  [/^\/my-accounts$/, 'my-accounts'],
  [/^\/directory$/, 'accounts'],
  [/^\/directory\/hierarchy$/, 'hierarchy'],
  [/^\/directory\/contacts$/, 'contacts'],
  [/^\/directory\/contacts\/([^/]+)$/, 'contact', 'externalId'],
  [/^\/directory\/accounts\/([^/]+)$/, 'account', 'externalId'],
  [/^\/directory\/mailing-lists$/, 'mailing-lists'],
  [/^\/directory\/mailing-lists\/(\d+)$/, 'mailing-list', 'id'],
  [/^\/directory\/attributes$/, 'attributes'],
  [/^\/connections$/, 'connections'],
  [/^\/connections\/uploads$/, 'uploads'],
  [/^\/workflows$/, 'workflows'],
  [/^\/workflows\/(new|\d+)$/, 'workflow', 'id'],
  [/^\/runs$/, 'runs'],
  [/^\/runs\/(\d+)$/, 'run', 'id'],
  [/^\/surveys$/, 'surveys'],
  [/^\/widgets$/, 'widgets'],
  [/^\/mail$/, 'outbox'],
  [/^\/settings$/, 'settings'],
  [/^\/settings\/people$/, 'people'],
  [/^\/settings\/directories$/, 'directories'],
  [/^\/settings\/alerts$/, 'alerts'],
];

export function routeOf(url: URL): Route {
  for (const [pattern, page, ...names] of patterns) {
    const match = pattern.exec(url.pathname);
    if (match) return { page, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])), query: url.searchParams };
  }
  return { page: 'not-found', params: {}, query: url.searchParams };
}

/** Shows the page at `href` as a link would; `replace` keeps it out of the history (a redirect). */
export function navigate(href: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/**
 * Follows a click on a link to one of the console's own pages without loading the page again. Links
 * in shadow roots are found through the event's path; a modified click (new tab) is left to the browser.
 */
export function followLink(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.composedPath().find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement);
  if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== location.origin) return;
  const url = new URL(anchor.href);
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/console/') || routeOf(url).page === 'not-found') return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

/** The path with `params` set (an empty value removes it), for links that change one filter. */
export function withQuery(path: string, params: Record<string, string>): string {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== ''));
  return query.size ? `${path}?${query}` : path;
}
