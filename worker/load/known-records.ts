import { copyText, type Tx } from '../../core/db.ts';
import { hash64, type Hash64 } from './source-hash.ts';

/**
 * Every key a load meets for one directory table: first the keys stored, each with the source
 * hash of the record that last merged into it whole, then each key the source names, with the
 * line that first named it. It answers, per record, whether its key is new, named before in this
 * run (a duplicate), or stored, and then whether the record is unchanged (same hash): such a
 * record is counted without being sent to the database.
 *
 * Keys live as 96-bit hashes in typed arrays with open addressing, 24 bytes a slot, about 50 MB
 * for a million keys, however long the keys. Two keys sharing a 96-bit hash (odds about 1 in
 * 10^16 for a million keys) would be taken for one.
 */
export class KnownRecords {
  #mask = 0;
  #size = 0;
  #key1 = new Int32Array(0);
  #key2 = new Int32Array(0);
  #key3 = new Int32Array(0);
  #hashHi = new Int32Array(0);
  #hashLo = new Int32Array(0);
  /** The line that first named the key in this run; 0 for a stored key not named yet, -1 for an empty slot. */
  #seen = new Int32Array(0);

  constructor(expected = 0) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.#allocate(capacity);
  }

  /** `keySql` selects `(key, hash_hi, hash_lo)` rows; `countSql` how many it selects. */
  static async fetch(tx: Tx, countSql: string, keySql: string): Promise<KnownRecords> {
    const [row] = await tx.query<{ n: number }>(countSql);
    const known = new KnownRecords(row!.n);
    for await (const line of tx.copyOut(`copy (${keySql}) to stdout`)) {
      const [key, hi, lo] = line.split('\t') as [string, string, string];
      const slot = known.#claim(keyHash(copyText(key)), 0);
      known.#hashHi[slot] = Number(hi);
      known.#hashLo[slot] = Number(lo);
    }
    return known;
  }

  /**
   * Records that `line` names `key`: `new` the first time an unstored key is named, `duplicate`
   * (with the first line) every later time any key is, and otherwise `stored`, unchanged when
   * the stored hash equals `hash`.
   */
  see(key: string, line: number, hash: Hash64 | null): { kind: 'new' } | { kind: 'duplicate'; firstLine: number } | { kind: 'stored'; unchanged: boolean } {
    const k = keyHash(key);
    const slot = this.#find(k);
    const seen = this.#seen[slot]!;
    if (seen === -1) {
      this.#claim(k, line);
      return { kind: 'new' };
    }
    if (seen !== 0) return { kind: 'duplicate', firstLine: seen };
    this.#seen[slot] = line;
    return { kind: 'stored', unchanged: hash !== null && this.#hashHi[slot] === hash.hi && this.#hashLo[slot] === hash.lo };
  }

  /** Whether this run named `key` (a stored key the source left out was not). */
  named(key: string): boolean {
    return this.#seen[this.#find(keyHash(key))]! > 0;
  }

  #find(k: KeyHash): number {
    let slot = k.a & this.#mask;
    while (this.#seen[slot] !== -1 && (this.#key1[slot] !== k.a || this.#key2[slot] !== k.b || this.#key3[slot] !== k.c)) {
      slot = (slot + 1) & this.#mask;
    }
    return slot;
  }

  #claim(k: KeyHash, seen: number): number {
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow();
    const slot = this.#find(k);
    this.#key1[slot] = k.a;
    this.#key2[slot] = k.b;
    this.#key3[slot] = k.c;
    this.#seen[slot] = seen;
    this.#size++;
    return slot;
  }

  #allocate(capacity: number): void {
    this.#mask = capacity - 1;
    this.#key1 = new Int32Array(capacity);
    this.#key2 = new Int32Array(capacity);
    this.#key3 = new Int32Array(capacity);
    this.#hashHi = new Int32Array(capacity);
    this.#hashLo = new Int32Array(capacity);
    this.#seen = new Int32Array(capacity).fill(-1);
  }

  #grow(): void {
    const [key1, key2, key3, hashHi, hashLo, seen] = [this.#key1, this.#key2, this.#key3, this.#hashHi, this.#hashLo, this.#seen];
    this.#allocate((this.#mask + 1) * 2);
    for (let old = 0; old < seen.length; old++) {
      if (seen[old] === -1) continue;
      const slot = this.#find({ a: key1[old]!, b: key2[old]!, c: key3[old]! });
      this.#key1[slot] = key1[old]!;
      this.#key2[slot] = key2[old]!;
      this.#key3[slot] = key3[old]!;
      this.#hashHi[slot] = hashHi[old]!;
      this.#hashLo[slot] = hashLo[old]!;
      this.#seen[slot] = seen[old]!;
    }
  }
}

type KeyHash = { a: number; b: number; c: number };

/** 96 bits: the 64 of `hash64` and a third lane over the key read backwards. */
function keyHash(key: string): KeyHash {
  const { hi, lo } = hash64(key);
  let c = 0x9e3779b9;
  for (let i = key.length - 1; i >= 0; i--) c = Math.imul(c ^ key.charCodeAt(i), 0x85ebca6b);
  c = Math.imul(c ^ (c >>> 15), 0xc2b2ae35) ^ (c >>> 13);
  return { a: lo, b: hi, c: c | 0 };
}
