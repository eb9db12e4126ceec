import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type Row = Record<string, unknown>;

/** What every query function needs: run one statement. */
export interface Queryable {
  query<R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

/** A transaction: statements plus COPY, on one connection. */
export interface Tx extends Queryable {
  /** Streams text-format COPY data (one string per row, tab-separated, newline-terminated) into `copySql`. */
  copyIn(copySql: string, rows: AsyncIterable<string>): Promise<void>;
}

/** The one database seam: a pool, statements, and transactions. Only entry points create one. */
export class Db implements Queryable {
  readonly pool: pg.Pool;

  constructor(connectionString: string, options: { max?: number; applicationName?: string } = {}) {
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
    const tx: Tx = {
      async query<R extends Row = Row>(text: string, values?: readonly unknown[]) {
        return (await client.query<R>(text, values as unknown[] | undefined)).rows;
      },
      async copyIn(copySql, rows) {
        await pipeline(Readable.from(rows), client.query(copyFrom(copySql)));
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
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Escapes one value for COPY's text format; null becomes `\N`. */
export function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** One COPY text-format line from a row's values. */
export function copyLine(values: readonly (string | number | boolean | null)[]): string {
  return values.map(copyValue).join('\t') + '\n';
}
