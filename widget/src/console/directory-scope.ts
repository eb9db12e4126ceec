// Which directory the Directory and Runs sections show: `?directory=<id>` on their address, so a
// reload, a bookmark or a shared link shows the same directory. The tab remembers the last one shown,
// so a visit to another section and back keeps it; without either, the server's default directory.

const remembered = 'bellwether.directory';

/** The directory the address names, else the one this tab last showed, or null for the default one. */
export function currentDirectory(): string | null {
  const named = new URL(location.href).searchParams.get('directory');
  if (named) sessionStorage.setItem(remembered, named);
  return named ?? sessionStorage.getItem(remembered);
}

/** `path` (a console page or an API route) in the current directory. */
export function inDirectory(path: string): string {
  const directory = currentDirectory();
  if (!directory) return path;
  const url = new URL(path, location.origin);
  url.searchParams.set('directory', directory);
  return url.pathname + url.search;
}
