// One pass of the SFTP benchmark in its own process, so its peak RSS is its own:
//   node bench/sftp/load-once.ts --mode=local --url=postgres://... --contacts=FILE
//   node bench/sftp/load-once.ts --mode=sftp  --url=postgres://... --contacts=REMOTE_PATH --server=JSON
//   node bench/sftp/load-once.ts --mode=download --contacts=REMOTE_PATH --server=JSON [--hwm=BYTES] [--fast]
// --server is {"host","port","username","password","hostKeyFingerprint"} of the SFTP server.
// The two load modes run the worker's `runSync` on the contacts file alone (the database already
// holds the accounts): from local disk (`files`), or over SFTP (`sftp`, through a connection this
// process first stores, untimed). `download` only fetches the file (no parsing, no database): as the
// worker reads it (`createReadStream`, 64 KiB), or with `--fast` as `fastGet` does (64 reads in flight).
// Prints one JSON line on stdout: wall time (from the start of runSync to its return), peak RSS (KiB),
// time spent in each kind of database call, and the run's state and counts.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createSftpConnection, type SftpCredentials } from '../../core/connections/sftp.ts';
import { Db, type Tx } from '../../core/db.ts';
import { secretBox } from '../../core/secret-box.ts';
import { connectSftp } from '../../core/connections/sftp-session.ts';
import { runSync } from '../../worker/jobs/run-sync.ts';
import type { SyncJob } from '../../worker/jobs/sync-job.ts';
import { benchMapping } from '../load/load-once.ts';
import { StepTimes, type Step } from '../shared.ts';

export type Server = { host: string; port: number; username: string; password: string; hostKeyFingerprint: string };
export type PassResult = {
  mode: 'local' | 'sftp' | 'download';
  ms: number;
  maxRssKiB: number;
  steps: Step[];
  bytes?: number;
  state?: string;
  error?: { code: string; message: string } | null;
  counts?: Record<string, { inserted: number; updated: number; unchanged: number; deleted: number; rejected: number }>;
};

/**
 * A Db that times what the load's transaction spends in each kind of call. Staging (`copyIn`) is
 * where the file is read: the CSV is parsed and mapped while it streams into COPY, so a slow
 * download shows there and nowhere else.
 */
class TimedDb extends Db {
  readonly steps = new StepTimes();

  override async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const record = (label: string, started: number) => this.steps.record(label, started);
    return super.tx(async (inner) => {
      const timed: Tx = {
        query: async (text, values) => {
          const started = performance.now();
          try {
            return await inner.query(text, values);
          } finally {
            record(/^\s*(with|update|insert|delete|create temp table chg_)/i.test(text) ? 'checks and merge (SQL)' : 'other statements', started);
          }
        },
        copyIn: async (copySql, rows) => {
          const started = performance.now();
          try {
            await inner.copyIn(copySql, rows);
          } finally {
            record('stage contacts (read, parse, map, COPY)', started);
          }
        },
        copyOut: async function* (copySql) {
          const started = performance.now();
          try {
            yield* inner.copyOut(copySql);
          } finally {
            record('fetch stored keys', started);
          }
        },
      };
      return fn(timed);
    });
  }
}

async function runLoad(mode: 'local' | 'sftp', url: string, contacts: string, server: Server | undefined): Promise<PassResult> {
  const db = new TimedDb(url, { max: 2, applicationName: 'bellwether-bench-sftp' });
  try {
    const box = secretBox(randomBytes(32).toString('base64url'));
    let job: SyncJob;
    if (mode === 'sftp') {
      // Untimed: what an admin does once, before any sync.
      const connection = await createSftpConnection(db, box, { name: 'bench', ...server! });
      job = { directoryId: 1, sftp: { connectionId: connection.id, files: { contacts: { path: contacts } } }, mapping: benchMapping };
    } else {
      job = { directoryId: 1, files: { contacts }, mapping: benchMapping };
    }
    const started = performance.now();
    const result = await runSync({ db, secretBox: async () => box }, job);
    const ms = performance.now() - started;
    return {
      mode,
      ms,
      maxRssKiB: process.resourceUsage().maxRSS,
      steps: db.steps.list(),
      state: result.state,
      error: result.error,
      counts: result.counts as PassResult['counts'],
    };
  } finally {
    await db.close();
  }
}

/** The transfer alone, into a sink that drops every byte (as `client.get(path, /dev/null)` would, without the file system). */
async function runDownload(remotePath: string, server: Server, options: { hwm: number; fast: boolean }): Promise<PassResult> {
  const credentials: SftpCredentials = { id: 0, name: 'bench', auth: 'password', ...server };
  const client = await connectSftp(credentials);
  try {
    let bytes = 0;
    const started = performance.now();
    if (options.fast) {
      await client.fastGet(remotePath, '/dev/null');
      bytes = (await client.stat(remotePath)).size;
    } else {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done();
        },
      });
      await pipeline(client.createReadStream(remotePath, { highWaterMark: options.hwm }), sink);
    }
    const ms = performance.now() - started;
    return { mode: 'download', ms, bytes, maxRssKiB: process.resourceUsage().maxRSS, steps: [] };
  } finally {
    await client.end().catch(() => {});
  }
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    options: {
      mode: { type: 'string' },
      url: { type: 'string' },
      contacts: { type: 'string' },
      server: { type: 'string' },
      hwm: { type: 'string' },
      fast: { type: 'boolean' },
    },
  });
  const { mode, url, contacts } = args;
  const server = args.server ? (JSON.parse(args.server) as Server) : undefined;
  const usable =
    contacts && ((mode === 'local' && url) || (mode === 'sftp' && url && server) || (mode === 'download' && server));
  if (!usable) {
    console.error('usage: node bench/sftp/load-once.ts --mode=local|sftp|download [--url=URL] --contacts=PATH [--server=JSON] [--hwm=BYTES] [--fast]');
    process.exit(2);
  }
  const result =
    mode === 'download'
      ? await runDownload(contacts, server!, { hwm: Number(args.hwm ?? 1 << 16), fast: args.fast === true })
      : await runLoad(mode as 'local' | 'sftp', url!, contacts, server);
  process.stdout.write(JSON.stringify(result) + '\n');
}
