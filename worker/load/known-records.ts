import { copyText, type Tx } from '../../core/db.ts';
import { hash64, type Hash64 } from './source-hash.ts';

/**
 * The keys of one directory table with the source hash stored for each, fetched before a source
 * is staged: a record whose key is known with the same hash merged whole before and would change
 * nothing, so it is counted unchanged without being sent to the database. Typed arrays in an
 * open-addressing table keep this at 20 bytes a slot (about 40 MB for a million contacts).
 *
 * Keys are told apart by a 64-bit hash of the key: two keys sharing one (odds of 1 in 10^7 for
 * a million keys) would at worst send a record through the full merge, which decides exactly.
 */
export class KnownRecords {
  readonly #mask: number;
  readonly #keyHi: Int32Array;
  readonly #keyLo: Int32Array;
  readonly #hashHi: Int32Array;
  readonly #hashLo: Int32Array;
  /** The line that first named each key in this run, 0 until one does. */
  readonly #seen: Int32Array;
  readonly #used: Uint8Array;

  private constructor(expected: number) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.#mask = capacity - 1;
    this.#keyHi = new Int32Array(capacity);
    this.#keyLo = new Int32Array(capacity);
    this.#hashHi = new Int32Array(capacity);
    this.#hashLo = new Int32Array(capacity);
    this.#seen = new Int32Array(capacity);
    this.#used = new Uint8Array(capacity);
  }

  /** `keySql` selects `(key, hash_hi, hash_lo)` rows; `countSql` how many it selects. */
  static async fetch(tx: Tx, countSql: string, keySql: string): Promise<KnownRecords> {
    const [row] = await tx.query<{ n: number }>(countSql);
    const known = new KnownRecords(row!.n);
    for await (const line of tx.copyOut(`copy (${keySql}) to stdout`)) {
      const [key, hi, lo] = line.split('\t') as [string, string, string];
      known.#insert(copyText(key), Number(hi), Number(lo));
    }
    return known;
  }

  #slot(key: Hash64): number {
    let slot = key.lo & this.#mask;
    while (this.#used[slot] === 1 && (this.#keyHi[slot] !== key.hi || this.#keyLo[slot] !== key.lo)) slot = (slot + 1) & this.#mask;
    return slot;
  }

  #insert(key: string, hashHi: number, hashLo: number): void {
    const k = hash64(key);
    const slot = this.#slot(k);
    this.#used[slot] = 1;
    this.#keyHi[slot] = k.hi;
    this.#keyLo[slot] = k.lo;
    this.#hashHi[slot] = hashHi;
    this.#hashLo[slot] = hashLo;
  }

  /**
   * Records that `line` names `key`. Answers `unknown` for a key not stored, `duplicate` with the
   * first line when the run named it before, and otherwise whether its stored hash equals `hash`.
   */
  see(key: string, line: number, hash: Hash64 | null): { kind: 'unknown' } | { kind: 'duplicate'; firstLine: number } | { kind: 'stored'; unchanged: boolean } {
    const slot = this.#slot(hash64(key));
    if (this.#used[slot] !== 1) return { kind: 'unknown' };
    const first = this.#seen[slot]!;
    if (first !== 0) return { kind: 'duplicate', firstLine: first };
    this.#seen[slot] = line;
    return { kind: 'stored', unchanged: hash !== null && this.#hashHi[slot] === hash.hi && this.#hashLo[slot] === hash.lo };
  }
}
