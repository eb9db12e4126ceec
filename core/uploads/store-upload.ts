import type { Db } from '../db.ts';
import { AppError, ErrorCode } from '../errors.ts';
import { describeBytes } from './bytes.ts';
import { uploadColumns, type Upload } from './queries.ts';

/** Bytes gathered before a chunk row is written: few rows, and little held in memory. */
export const chunkBytes = 1 << 20;

/** The default most an upload may hold (UPLOAD_MAX_BYTES). */
export const defaultUploadMaxBytes = 200 * 1024 * 1024;

/** A file's name as it is stored and named in workflows: its base name, printable, at most 255 characters. */
export function checkUploadName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new AppError(ErrorCode.BAD_REQUEST, 'an upload needs its file name: ?name=accounts.csv');
  const name = raw.trim();
  if (name.length > 255) throw new AppError(ErrorCode.BAD_REQUEST, `the file name is longer than 255 characters: "${name.slice(0, 40)}…"`);
  // A workflow names the file alone; a path or control character would make that name ambiguous or unreadable.
  if (/[/\\\p{Cc}]/u.test(name)) throw new AppError(ErrorCode.BAD_REQUEST, `the file name "${name.replace(/\p{Cc}/gu, '?')}" holds a slash, backslash or control character: give the file's own name`);
  return name;
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError(ErrorCode.BAD_REQUEST, `the file is larger than the upload limit of ${describeBytes(maxBytes)} (UPLOAD_MAX_BYTES)`, { status: 413 });
}

/**
 * Stores a file as its bytes arrive, in one transaction: at most one chunk is held in memory and
 * nothing touches the disk. A body over `maxBytes`, or one that breaks off, rolls back everything.
 */
export async function storeUpload(db: Db, file: { name: string; uploadedBy: string | null; maxBytes: number }, bytes: AsyncIterable<Uint8Array>): Promise<Upload> {
  return db.tx(async (tx) => {
    const [{ id }] = (await tx.query<{ id: number }>('insert into uploads (name, uploaded_by) values ($1, $2) returning id::int', [file.name, file.uploadedBy])) as [{ id: number }];
    let size = 0;
    let seq = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await tx.query('insert into upload_chunks (upload_id, seq, data) values ($1, $2, $3)', [id, seq++, Buffer.concat(pending)]);
      pending = [];
      pendingBytes = 0;
    };
    for await (const chunk of bytes) {
      size += chunk.length;
      if (size > file.maxBytes) throw tooLarge(file.maxBytes);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= chunkBytes) await flush();
    }
    await flush();
    return (await tx.query<Upload>(`update uploads set size = $2 where id = $1 returning ${uploadColumns}`, [id, size]))[0]!;
  });
}
