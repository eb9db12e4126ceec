import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.ts';
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
  // Opening for writing with O_NONBLOCK fails until a reader has the FIFO open.
  const probe = await eventually(() => open(fifo, constants.O_WRONLY | constants.O_NONBLOCK), { what: `something opens ${fifo} to read it`, timeoutMs: seconds * 1000 });
  try {
    return await open(fifo, 'w');
  } finally {
    await probe.close();
  }
}

/** An accounts export bigger than the first batch the CSV reader waits for (64 KB), so the load gets to staging. */
export const accountsExport = `${accountHeader.join(',')}\n${Array.from({ length: 4000 }, (_, i) => `001A${i},false,Account ${i},\n`).join('')}`;
