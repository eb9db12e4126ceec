import type { Queryable } from '../../core/db.ts';
import { settleAndClaim, type DueRecipient, type Settlement } from './queries.ts';

export type Claimed = DueRecipient & { messageId: string; attempts: number };

/**
 * Recipients claimed a few at a time, just ahead of the lanes that send them, and the outcomes of
 * their sends recorded in the same statement as the next claim: one database round trip per
 * `size` messages instead of one per message, while at most `size` claimed recipients wait and
 * at most `size` sent ones wait to be marked. What a crash leaves claimed but unmarked becomes
 * 'in_doubt' (never re-sent), so that window stays a few messages per connection.
 */
export class ClaimQueue {
  readonly #db: Queryable;
  readonly #due: DueRecipient[];
  readonly #size: number;
  readonly #domain: string;
  #ready: Claimed[] = [];
  #outcomes: Settlement[] = [];
  #refilling: Promise<void> | null = null;

  constructor(db: Queryable, due: DueRecipient[], options: { size: number; messageIdDomain: string }) {
    this.#db = db;
    this.#due = due;
    this.#size = options.size;
    this.#domain = options.messageIdDomain;
  }

  /** The next claimed recipient, or null when the batch is done. */
  async take(): Promise<Claimed | null> {
    for (;;) {
      if (this.#ready.length <= this.#size / 2) this.#refill();
      const next = this.#ready.shift();
      if (next) return next;
      if (!this.#refilling) return null;
      await this.#refilling;
    }
  }

  record(outcome: Settlement): void {
    this.#outcomes.push(outcome);
  }

  /** Records every outcome and puts back what was claimed but not sent (the lanes stopped early). */
  async close(): Promise<void> {
    while (this.#refilling) await this.#refilling;
    const release = this.#ready.splice(0).map((r) => r.id);
    const settle = this.#outcomes.splice(0);
    if (settle.length > 0 || release.length > 0) await settleAndClaim(this.#db, { settle, release, claim: [] }, this.#domain);
  }

  #refill(): void {
    if (this.#refilling || this.#due.length === 0) return;
    const next = this.#due.splice(0, this.#size);
    const settle = this.#outcomes.splice(0);
    this.#refilling = settleAndClaim(this.#db, { settle, release: [], claim: next.map((r) => r.id) }, this.#domain).then(
      (claims) => {
        const byId = new Map(claims.map((c) => [c.id, c]));
        for (const recipient of next) {
          const claim = byId.get(recipient.id);
          if (claim) this.#ready.push({ ...recipient, messageId: claim.messageId, attempts: claim.attempts });
        }
      },
    ).finally(() => {
      this.#refilling = null;
    });
  }
}
