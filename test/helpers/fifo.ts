import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { accountHeader, tempDir } from './files.ts';

/*
 * An export file that is a FIFO lets a test hold a load mid-file for as long as it likes: the
 * load reads what the test wrote, then waits for more until the test closes it.
 */

/** A new FIFO named `name` in a temporary folder. */
export async function fifoFile(name: string): Promise<string> {
  const file = path.join(await tempDir(), name);
  await promisify(execFile)('mkfifo', [file]);
  return file;
}

/** Opens the writing end of a FIFO once a reader has opened it, without blocking a thread until then. */
export async function openFifoWriter(fifo: string, seconds = 30): Promise<FileHandle> {
  for (const deadline = Date.now() + seconds * 1000; ; await sleep(50)) {
    const probe = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
    if (probe) {
      try {
        return await open(fifo, 'w');
      } finally {
        await probe.close();
      }
    }
    if (Date.now() > deadline) throw new Error(`nothing opened ${fifo} to read it`);
  }
}

/** An accounts export bigger than the first batch the CSV reader waits for (64 KB), so the load gets to staging. */
export const accountsExport = `${accountHeader.join(',')}\n${Array.from({ length: 4000 }, (_, i) => `001A${i},false,Account ${i},\n`).join('')}`;
