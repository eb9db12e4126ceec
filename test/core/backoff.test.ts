import assert from 'node:assert/strict';
import { backoffDelay } from '../../core/backoff.ts';

describe('backoffDelay', () => {
  const backoff = { firstDelayMs: 1000, maxDelayMs: 30_000 };

  it('doubles from the first delay and stops at the maximum', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, backoff, 'exact')), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('spreads each wait between half and one and a half times its exact value', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, backoff);
      assert.ok(delay >= 2000 && delay <= 6000, `${delay} is outside 2000..6000`);
    }
  });
});
