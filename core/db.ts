import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { AppError, ErrorCode } from './errors.ts';

export type Row = Record<string, unknown>;

/** What every query function needs: run one statement. */
export interface Queryable {
  query<R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

/** A transaction: statements plus COPY, on one connection. */
export interface Tx extends Queryable {
  /** Streams text-format COPY data (one string per row, tab-separated, newline-terminated) into `copySql`. */
  copyIn(copySql: string, rows: AsyncIterable<string>): Promise<void>;
  /** Streams the text-format output of `copySql` (`copy (...) to stdout`), one row per string, without its newline. */
  copyOut(copySql: string): AsyncIterable<string>;
}

/** The one database seam: a pool, statements, and transactions. Only entry points create one. */
export class Db implements Queryable {
  readonly pool: pg.Pool;
  /** Where it connects: a listener for notifications (core/notifications.ts) holds a connection of its own there. */
  readonly url: string;

  constructor(connectionString: string, options: { max?: number; applicationName?: string } = {}) {
    this.url = connectionString;
    this.pool = new pg.Pool({
      connectionString,
      max: options.max ?? 10,
      // A database host that drops packets must fail requests, not hang them.
      connectionTimeoutMillis: 10_000,
      application_name: options.applicationName ?? 'bellwether',
    });
    // An idle client that errors (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  async query<R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<R[]> {
    const result = await this.pool.query<R>(text, values as unknown[] | undefined);
    return result.rows;
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool listens only to idle clients: a connection that drops while checked out emits 'error'
    // with nobody listening, which ends the process. The running statement rejects with it anyway.
    let lost = false;
    const onError = () => {
      lost = true;
    };
    client.on('error', onError);
    const tx: Tx = {
      async query<R extends Row = Row>(text: string, values?: readonly unknown[]) {
        return (await client.query<R>(text, values as unknown[] | undefined)).rows;
      },
      async copyIn(copySql, rows) {
        await pipeline(Readable.from(rows), client.query(copyFrom(copySql)));
      },
      async *copyOut(copySql) {
        let rest = '';
        const decoder = new StringDecoder('utf8');
        for await (const chunk of client.query(copyTo(copySql))) {
          const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
          rest = lines.pop()!;
          yield* lines;
        }
      },
    };
    let broken = false;
    try {
      await client.query('begin');
      const result = await fn(tx);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      // A rollback that cannot get through means the connection, not the statement, failed.
      if (lost || broken) throw connectionLost(error);
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(lost || broken);
    }
  }

  /**
   * Resolves once the database answers again: what a lost connection left undone (a run still
   * marked running) can be recorded then. Rejects when it has not answered within `timeoutMs`.
   */
  async reachable(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.query('select 1');
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw new AppError(ErrorCode.DATABASE_UNAVAILABLE, `the database has not answered for ${timeoutMs / 1000} s`, { cause: error });
        await setTimeout(1000);
      }
    }
  }

  /**
   * Runs `fn` on a connection of its own, outside the pool, closed once `fn` settles: what the
   * session holds (an advisory lock) lasts as long as `fn`, and no longer than the process.
   */
  async session<T>(fn: (session: Queryable) => Promise<T>): Promise<T> {
    const client = new pg.Client(this.pool.options);
    // A session that drops while `fn` runs must not end the process; its next statement fails instead.
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn({
        async query<R extends Row = Row>(text: string, values?: readonly unknown[]) {
          return (await client.query<R>(text, values as unknown[] | undefined)).rows;
        },
      });
    } finally {
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The socket's own error (ECONNRESET, EPIPE, a server shutdown) varies with timing: it stays the cause, not the message. */
function connectionLost(error: unknown): AppError {
  return new AppError(ErrorCode.DATABASE_UNAVAILABLE, 'the connection to the database was lost before the transaction completed', { cause: error });
}

const copySpecial = /[\\\t\n\r]/;
const copySpecials = /[\\\t\n\r]/g;

/** Escapes one value for COPY's text format; null becomes `\N`. */
export function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  // Tested first: nearly every value has nothing to escape, and a bare test is the cheap path.
  if (!copySpecial.test(value)) return value;
  return value.replace(copySpecials, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Reads one value of a COPY text-format row back (the inverse of `copyValue`, for non-null values). */
export function copyText(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** One COPY text-format line from a row's values. */
export function copyLine(values: readonly (string | number | boolean | null)[]): string {
  return values.map(copyValue).join('\t') + '\n';
}
