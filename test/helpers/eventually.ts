import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `check` until it returns without throwing, and answers what it returned. Past
 * `timeoutMs` it fails with `what` and the check's last error, so a test that waits on work
 * in another process or on the job queue says what never happened instead of hanging until
 * mocha's timeout. A check that drives a TestClock ticks it itself.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<T> {
  const { what, timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        const last = error instanceof Error ? error.message : String(error);
        throw new Error(`${what}: not within ${timeoutMs} ms (${attempt} attempts); last: ${last}`, { cause: error });
      }
    }
    await sleep(intervalMs);
  }
}
