/**
 * A 64-bit hash of a text, as two 32-bit lanes (multiply-xorshift, as in cyrb53): fast on the
 * strings of a million-row load, and only ever asked to tell a changed record from an unchanged
 * one or to spread keys over a table, never to resist an adversary.
 */
export type Hash64 = { hi: number; lo: number };

export function hash64(text: string): Hash64 {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return { hi: h2 | 0, lo: h1 | 0 };
}

/** The hash as PostgreSQL's signed int8, in decimal, for COPY. */
export function hashText(hash: Hash64): string {
  return BigInt.asIntN(64, (BigInt(hash.hi >>> 0) << 32n) | BigInt(hash.lo >>> 0)).toString();
}
