import type { Tx } from '../db.ts';

/**
 * Holds a directory for the rest of the transaction: a load (worker/load) and a directory's removal
 * (server/directories) each wait for the other, so neither works on a directory the other is changing.
 */
export async function lockDirectory(tx: Tx, directoryId: number): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(7412530, $1::int)', [directoryId]);
}
