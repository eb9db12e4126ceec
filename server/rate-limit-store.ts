import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Db } from '../core/db.ts';

/**
 * express-rate-limit's counts kept in PostgreSQL, shared by every web process. A key's window starts
 * with its first hit; a hit after the window ends starts a new one. Expired windows are swept as
 * hits arrive, so keys from a spray of guessed emails do not pile up.
 */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  #windowMs = 60_000;
  readonly #db: Db;

  constructor(db: Db, prefix: string) {
    this.#db = db;
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const [row] = await this.#db.query<{ hits: number; resetAt: Date }>(
      `with swept as (delete from rate_limit_hits where reset_at < now() - interval '1 minute' and key <> $1)
      insert into rate_limit_hits as r (key, hits, reset_at) values ($1, 1, now() + $2 * interval '1 millisecond')
      on conflict (key) do update set
        hits = case when r.reset_at <= now() then 1 else r.hits + 1 end,
        reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
      returning hits, reset_at as "resetAt"`,
      [this.prefix + key, this.#windowMs],
    );
    return { totalHits: row!.hits, resetTime: row!.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.#db.query('update rate_limit_hits set hits = greatest(hits - 1, 0) where key = $1 and reset_at > now()', [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.#db.query('delete from rate_limit_hits where key = $1', [this.prefix + key]);
  }
}
