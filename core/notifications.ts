import { backoffDelay } from './backoff.ts';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Called with a notification's payload, or with null after the listening connection was lost and
 * made again: notifications sent meanwhile are gone, so a subscriber reads what it watches anew.
 */
export type Notified = (payload: string | null) => void;

/**
 * Postgres LISTEN/NOTIFY for one process: a single connection listens while anyone subscribes, and
 * each notification is handed to every subscriber of its channel. Watching a run then costs a read
 * per change instead of a read every half second per watcher.
 */
export class Notifications {
  readonly #url: string;
  readonly #subscribers = new Map<string, Set<Notified>>();
  /** Per channel, its LISTEN: a second subscriber waits for the first one's to be in place too. */
  readonly #listening = new Map<string, Promise<unknown>>();
  #client: Promise<pg.Client> | null = null;
  #closed = false;

  constructor(url: string) {
    this.#url = url;
  }

  /** Resolves once the channel is listened to, so nothing notified after that is missed; the answer unsubscribes. */
  async subscribe(channel: string, notified: Notified): Promise<() => Promise<void>> {
    let set = this.#subscribers.get(channel);
    if (!set) this.#subscribers.set(channel, (set = new Set()));
    set.add(notified);
    let listening = this.#listening.get(channel);
    if (!listening) {
      listening = this.#connection().then((client) => client.query(`listen ${pg.escapeIdentifier(channel)}`));
      this.#listening.set(channel, listening);
    }
    try {
      await listening;
    } catch (error) {
      this.#listening.delete(channel);
      await this.#drop(channel, notified);
      throw error;
    }
    return () => this.#drop(channel, notified);
  }

  /** Stops listening for good (the process is stopping). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    this.#listening.clear();
    await this.#disconnect();
  }

  async #drop(channel: string, notified: Notified): Promise<void> {
    const set = this.#subscribers.get(channel);
    if (!set?.delete(notified) || set.size > 0) return;
    this.#subscribers.delete(channel);
    this.#listening.delete(channel);
    // Nobody watches any more: the connection goes back until someone does.
    if (this.#subscribers.size === 0) await this.#disconnect();
    else await (await this.#connection()).query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {});
  }

  #connection(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('notifications are closed'));
    this.#client ??= this.#connect().catch((error: unknown) => {
      this.#client = null;
      throw error;
    });
    return this.#client;
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'bellwether-listener', connectionTimeoutMillis: 10_000 });
    client.on('notification', (message) => {
      for (const notified of this.#subscribers.get(message.channel) ?? []) notified(message.payload ?? '');
    });
    client.on('error', () => {
      void this.#reconnect(client);
    });
    await client.connect();
    return client;
  }

  /** A lost connection is made again, with every channel listened to anew; subscribers are told to read again. */
  async #reconnect(lost: pg.Client): Promise<void> {
    if (this.#client === null || (await this.#client.catch(() => null)) !== lost) return;
    this.#client = null;
    lost.end().catch(() => {});
    for (let attempt = 1; !this.#closed && this.#subscribers.size > 0; attempt++) {
      try {
        const client = await this.#connection();
        for (const channel of this.#subscribers.keys()) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
        for (const set of this.#subscribers.values()) for (const notified of set) notified(null);
        return;
      } catch {
        await sleep(backoffDelay(attempt, { firstDelayMs: 500, maxDelayMs: 10_000 }));
      }
    }
  }

  async #disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (client) await (await client.catch(() => null))?.end().catch(() => {});
  }
}
