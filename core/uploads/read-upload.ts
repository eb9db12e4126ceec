import { Readable } from 'node:stream';
import type { Queryable } from '../db.ts';

/** Chunks read per query: a few megabytes at a time, however large the file. */
const chunksPerRead = 4;

/** An upload's bytes as a stream, read from the database a few chunks at a time as the reader asks. */
export function uploadBytes(db: Queryable, uploadId: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq += chunksPerRead) {
      const rows = await db.query<{ data: Buffer }>('select data from upload_chunks where upload_id = $1 and seq >= $2 order by seq limit $3', [uploadId, seq, chunksPerRead]);
      for (const row of rows) yield row.data;
      if (rows.length < chunksPerRead) return;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
