import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout } from 'node:timers/promises';
import { AppError, ErrorCode } from './errors.ts';
import type { Logger } from './log.ts';

/*
 * The embedded server outlives a process killed with SIGKILL (it is a process of its own). The
 * process that started it records its pid beside the cluster, so the next start can tell a server
 * in use by another process of this install, which it shares, from one whose owner is gone.
 */

function ownerFile(dataDir: string): string {
  return `${dataDir}.owner`;
}

/** Records this process as the owner of the server it just started on the cluster in `dataDir`. */
export async function claimCluster(dataDir: string): Promise<void> {
  await writeFile(ownerFile(dataDir), `${process.pid}\n`);
}

export async function releaseCluster(dataDir: string): Promise<void> {
  await rm(ownerFile(dataDir), { force: true });
}

/**
 * What runs the cluster in `dataDir` now: nothing, a live process of this install (`shared`), or
 * nobody (`stale`: its owner died, or started it before owners were recorded).
 */
export async function clusterState(dataDir: string): Promise<{ kind: 'stopped' } | { kind: 'shared' } | { kind: 'stale'; postmaster: number }> {
  const postmaster = await pidIn(`${dataDir}/postmaster.pid`);
  if (postmaster === null || !(await runsCluster(postmaster, dataDir))) return { kind: 'stopped' };
  const owner = await pidIn(ownerFile(dataDir));
  return owner !== null && isAlive(owner) ? { kind: 'shared' } : { kind: 'stale', postmaster };
}

/** Stops a server nobody owns with a fast shutdown (open sessions are ended, nothing committed is lost). */
export async function stopStaleCluster(dataDir: string, postmaster: number, logger: Logger | undefined): Promise<void> {
  process.kill(postmaster, 'SIGINT');
  // The server removes its pid file as it exits; waiting on the process instead could wait on a zombie.
  for (const deadline = Date.now() + 60_000; existsSync(`${dataDir}/postmaster.pid`) && isAlive(postmaster); await setTimeout(100)) {
    if (Date.now() > deadline) {
      throw new AppError(ErrorCode.DATABASE_UNAVAILABLE, `the embedded database left running in ${dataDir} (pid ${postmaster}) by a process that ended did not stop within a minute; stop it, then start again`);
    }
  }
  await releaseCluster(dataDir);
  logger?.warn({ dataDir, pid: postmaster }, 'stopped a stale embedded database left running by a process that ended');
}

async function pidIn(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Whether `pid` is the server of the cluster in `dataDir`. The pid file of a server that was killed
 * stays behind, and its pid may since belong to another process, which must not be stopped: where
 * /proc shows command lines, the server's names its cluster.
 */
async function runsCluster(pid: number, dataDir: string): Promise<boolean> {
  if (!existsSync('/proc/self')) return isAlive(pid);
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return command.split('\0').includes(dataDir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the `postgres` user, when run as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
