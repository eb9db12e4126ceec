import { Readable } from 'node:stream';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, isAppError } from '../errors.ts';
import type { Upload } from './queries.ts';

/** Chunks read per query: a few megabytes at a time, however large the file. */
const chunksPerRead = 4;

/**
 * An upload's bytes as a stream, read from the database a few chunks at a time as the reader asks.
 * An upload deleted while it is read ends short: that is an error, never a shorter file loaded.
 */
export function uploadBytes(db: Queryable, upload: Pick<Upload, 'id' | 'name' | 'size'>): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let read = 0;
    for (let seq = 0; ; seq += chunksPerRead) {
      const rows = await db.query<{ data: Buffer }>('select data from upload_chunks where upload_id = $1 and seq >= $2 order by seq limit $3', [upload.id, seq, chunksPerRead]);
      for (const row of rows) {
        read += row.data.length;
        yield row.data;
      }
      if (rows.length < chunksPerRead) break;
    }
    if (read !== upload.size) {
      throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${upload.name}: upload ${upload.id} was deleted while the run read it (${read} of ${upload.size} bytes read)`);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * A file the person chose that cannot be read (no header, not CSV, a column missing) is their
 * request's fault, not the server's: the same error, answered as 400.
 */
export function asBadRequest(error: unknown): never {
  if (isAppError(error) && error.status === 500) throw new AppError(error.code, error.message, { cause: error.cause, status: 400 });
  throw error;
}
