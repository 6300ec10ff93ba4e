import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LingoError } from '../../../src/errors/lingo-error.js';
import { FallbackRateLimiter } from '../../../src/ratelimit/fallback-rate-limiter.js';
import { MemoryRateLimiter } from '../../../src/ratelimit/memory-rate-limiter.js';
import { RateLimitStoreError, type RateDecision, type RateLimiter, type RateLimitRule } from '../../../src/ratelimit/rate-limiter.js';

/**
 * The policy logic on a clock the test moves. The store here is a stand-in whose failures the
 * test switches on and off; real Redis outages are in redis-outage.test.ts.
 */
class SwitchableStore implements RateLimiter {
  calls = 0;
  failure: Error | undefined;
  async open(): Promise<void> {}
  async take(): Promise<RateDecision> {
    this.calls++;
    if (this.failure) throw this.failure;
    return { ok: false, limit: 1, resetSeconds: 1 };
  }
  async close(): Promise<void> {}
}

const rules: RateLimitRule[] = [{ limit: 2, windowSeconds: 1 }];

function setup(policy: 'local' | 'open' | 'closed') {
  let ms = Date.UTC(2030, 0, 1);
  const store = new SwitchableStore();
  const limiter = new FallbackRateLimiter(store, policy, new MemoryRateLimiter(() => ms), pino({ level: 'silent' }), () => ms);
  return { store, limiter, advanceMs: (d: number) => void (ms += d) };
}

describe('FallbackRateLimiter', () => {
  it('while the store fails, one take per 500 ms tries it; the others do not wait on it', async () => {
    const { store, limiter, advanceMs } = setup('local');
    store.failure = new RateLimitStoreError('down');
    expect(await limiter.take('k', rules)).toEqual({ ok: true });
    expect(store.calls).toBe(1);
    for (let i = 0; i < 5; i++) await limiter.take(`k${i}`, rules);
    expect(store.calls).toBe(1);
    advanceMs(500);
    await Promise.all([limiter.take('a', rules), limiter.take('b', rules)]);
    expect(store.calls).toBe(2);
    store.failure = undefined;
    advanceMs(500);
    // The store's own answer again, and every take goes to it.
    expect(await limiter.take('k', rules)).toEqual({ ok: false, limit: 1, resetSeconds: 1 });
    await limiter.take('k', rules);
    expect(store.calls).toBe(4);
    expect(limiter.counters).toEqual({ switchesToFallback: 1, decidedWithoutStore: 8 });
  });

  it('local applies the same rules in process: the third take of a second is refused', async () => {
    const { store, limiter } = setup('local');
    store.failure = new RateLimitStoreError('down');
    const decisions = await Promise.all([1, 2, 3].map(() => limiter.take('k', rules)));
    expect(decisions).toEqual([{ ok: true }, { ok: true }, { ok: false, limit: 2, resetSeconds: 1 }]);
  });

  it('closed answers 500 2250002', async () => {
    const { store, limiter } = setup('closed');
    store.failure = new RateLimitStoreError('down');
    const err: unknown = await limiter.take('k', rules).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LingoError);
    expect([(err as LingoError).http, (err as LingoError).code]).toEqual([500, 2250002]);
  });

  it('an error that is not the store failing is not covered up by the policy', async () => {
    const { store, limiter } = setup('open');
    store.failure = new TypeError('a bug');
    await expect(limiter.take('k', rules)).rejects.toThrow(TypeError);
    expect(limiter.counters).toEqual({ switchesToFallback: 0, decidedWithoutStore: 0 });
  });
});
