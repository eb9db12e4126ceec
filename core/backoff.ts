/** How retries wait: doubling from `firstDelayMs` up to `maxDelayMs`. */
export type Backoff = { firstDelayMs: number; maxDelayMs: number };

/**
 * The wait before retry number `attempt` (1 for the first): doubled each time up to the maximum,
 * and spread by half either way so that many clients failing together do not retry together.
 */
export function backoffDelay(attempt: number, backoff: Backoff, spread: 'jitter' | 'exact' = 'jitter'): number {
  const delay = Math.min(backoff.maxDelayMs, backoff.firstDelayMs * 2 ** (attempt - 1));
  return spread === 'jitter' ? delay * (0.5 + Math.random()) : delay;
}
