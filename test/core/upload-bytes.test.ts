import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { deleteUpload } from '../../core/uploads/queries.ts';
import { uploadBytes } from '../../core/uploads/read-upload.ts';
import { chunkBytes, storeUpload } from '../../core/uploads/store-upload.ts';
import { testDatabase } from '../helpers/hooks.ts';

async function* megabytes(count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(chunkBytes, 97 + i);
}

describe("an upload's bytes read back", function () {
  this.timeout(30_000);
  let db: Db;
  beforeEach(async function () {
    db = (await testDatabase(this)).db;
  });

  it('come back whole and in order, a few chunks per query', async () => {
    const upload = await storeUpload(db, { name: 'accounts.csv', uploadedBy: null, maxBytes: 10 * chunkBytes }, megabytes(6));
    const firsts: string[] = [];
    let size = 0;
    for await (const chunk of uploadBytes(db, upload) as AsyncIterable<Buffer>) {
      firsts.push(String.fromCharCode(chunk[0]!));
      size += chunk.length;
    }
    assert.deepEqual([firsts.join(''), size], ['abcdef', 6 * chunkBytes]);
  });

  it('fail, naming the file, when the upload is deleted while it is read, rather than end short', async () => {
    const upload = await storeUpload(db, { name: 'accounts.csv', uploadedBy: null, maxBytes: 10 * chunkBytes }, megabytes(6));
    const reader = (uploadBytes(db, upload) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    await reader.next();
    await deleteUpload(db, upload.id);
    await assert.rejects(async () => {
      while (!(await reader.next()).done);
    }, { code: 'SOURCE_UNREADABLE', message: `accounts.csv: upload ${upload.id} was deleted while the run read it (${4 * chunkBytes} of ${6 * chunkBytes} bytes read)` });
  });
});
