import assert from 'node:assert/strict';
import { chmod, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../core/embedded-postgres.ts';
import { freePort } from '../helpers/database.ts';
import { tempDir } from '../helpers/files.ts';

/** Whether `password` lets the superuser in: true, or the server's error code. */
async function signIn(server: EmbeddedServer, password: string): Promise<true | string> {
  const url = new URL(server.url('postgres'));
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return true;
  } catch (error) {
    return (error as { code: string }).code;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('the embedded database', function () {
  this.timeout(120_000);
  let root: string | undefined;
  let server: EmbeddedServer | undefined;

  afterEach(async () => {
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
    server = root = undefined;
  });

  async function start(): Promise<{ dataDir: string; port: number }> {
    root ??= await tempDir();
    // As root, the server runs as the `postgres` user, which must be able to enter this folder.
    await chmod(root, 0o755);
    const options = { dataDir: path.join(root, 'pg'), port: await freePort() };
    server = await startEmbeddedPostgres(options);
    return options;
  }

  it('gets a password of its own at first start, kept readable by its owner only', async () => {
    const { dataDir } = await start();
    const file = await stat(`${dataDir}.password`);
    const password = (await readFile(`${dataDir}.password`, 'utf8')).trim();
    assert.deepEqual([file.mode & 0o777, password.length, decodeURIComponent(new URL(server!.url('postgres')).password)], [0o600, 32, password]);
    assert.deepEqual([await signIn(server!, password), await signIn(server!, 'bellwether')], [true, '28P01']);
  });

  it('replaces the fixed password of a data folder made by an earlier version, and keeps its data', async () => {
    const { dataDir } = await start();
    const client = new pg.Client({ connectionString: server!.url('postgres') });
    await client.connect();
    await client.query(`create table kept (id int); alter role bellwether password 'bellwether'`);
    await client.end();
    await server!.stop();
    await rm(`${dataDir}.password`);

    await start();
    const password = (await readFile(`${dataDir}.password`, 'utf8')).trim();
    assert.deepEqual([await signIn(server!, password), await signIn(server!, 'bellwether')], [true, '28P01']);
    const again = new pg.Client({ connectionString: server!.url('postgres') });
    await again.connect();
    assert.deepEqual((await again.query(`select to_regclass('kept') is not null as kept`)).rows, [{ kept: true }]);
    await again.end();
  });
});
