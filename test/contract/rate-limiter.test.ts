import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.js';
import type { RateDecision, RateLimiter, RateLimitRule } from '../../src/ratelimit/rate-limiter.js';
import { RedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.js';
import { adminClient, deleteKeys, toRedisWindowStart } from '../helpers/redis.js';
import { services, uniqueName } from '../helpers/services.js';

/** A limiter, and a way to reach the start of a window on the clock that limiter follows. */
interface LimiterUnderTest {
  limiter: RateLimiter;
  /** Wait (Redis TIME) or move the clock (memory) to the first moments of a second that starts a window of that length. */
  toWindowStart(windowSeconds?: number): Promise<void>;
  close(): Promise<void>;
}

function memory(): LimiterUnderTest {
  let ms = Date.UTC(2030, 0, 1, 12, 0, 0, 300);
  return {
    limiter: new MemoryRateLimiter(() => ms),
    toWindowStart: async (windowSeconds = 1) => {
      ms = (Math.floor(ms / 1000 / windowSeconds) + 1) * windowSeconds * 1000;
    },
    close: async () => {},
  };
}

function redis(url: string): LimiterUnderTest {
  const keyPrefix = `${uniqueName('lingo-test-rl-')}:`;
  let admin: Redis | undefined;
  return {
    limiter: new RedisRateLimiter({ url, keyPrefix }),
    toWindowStart: (windowSeconds) => toRedisWindowStart((admin ??= adminClient(url)), windowSeconds),
    close: async () => {
      admin ??= adminClient(url);
      await deleteKeys(admin, `${keyPrefix}*`);
      admin.disconnect();
    },
  };
}

const backends: [string, () => LimiterUnderTest][] = [['MemoryRateLimiter', memory]];
const redisUrl = services.redis.url;
if (redisUrl) backends.push(['RedisRateLimiter', () => redis(redisUrl)]);
else describe.skip(`RateLimiter contract: RedisRateLimiter [skipped: ${services.redis.env} not set; run scripts/services.sh start]`, () => {});

const feishu: RateLimitRule[] = [
  { limit: 50, windowSeconds: 1 },
  { limit: 1000, windowSeconds: 60 },
];
const refused = (limit: number, resetSeconds: number): RateDecision => ({ ok: false, limit, resetSeconds });
const admitted: RateDecision = { ok: true };

/**
 * One contract, both backends. Windows of a few seconds stand in for the minute where a test must
 * see a window end: the algorithm is the same for every length, and nobody waits a minute.
 */
describe.each(backends)('RateLimiter contract: %s', (_name, create) => {
  let under: LimiterUnderTest;
  let limiter: RateLimiter;
  beforeEach(async () => {
    under = create();
    limiter = under.limiter;
    await limiter.open();
  });
  afterEach(async () => {
    await limiter.close();
    await under.close();
  });

  const takes = (n: number, key: string, rules: readonly RateLimitRule[]) => Promise.all(Array.from({ length: n }, () => limiter.take(key, rules)));

  it('of 80 concurrent takes within one second, exactly 50 pass; the rest learn the limit and a 1 s reset', async () => {
    await under.toWindowStart(1);
    const decisions = await takes(80, 'upload:cli_a:t1', feishu);
    expect(decisions.filter((d) => d.ok)).toHaveLength(50);
    expect(decisions.filter((d) => !d.ok)).toEqual(Array(30).fill(refused(50, 1)));
  });

  it('a refused take consumes nothing in any window', async () => {
    const rules = [
      { limit: 2, windowSeconds: 1 },
      { limit: 3, windowSeconds: 3 },
    ];
    await under.toWindowStart(3);
    expect(await takes(2, 'k', rules)).toEqual([admitted, admitted]);
    expect(await takes(5, 'k', rules)).toEqual(Array(5).fill(refused(2, 1)));
    // Had the five refusals counted in the 3 s window, it would be full now.
    await under.toWindowStart(1);
    expect(await limiter.take('k', rules)).toEqual(admitted);
    expect(await limiter.take('k', rules)).toEqual(refused(3, 2));
    await under.toWindowStart(3);
    expect(await takes(2, 'k', rules)).toEqual([admitted, admitted]);
  });

  it('windows are aligned on the clock, not started by the first request', async () => {
    const rules = [{ limit: 1, windowSeconds: 3 }];
    await under.toWindowStart(3);
    await under.toWindowStart(1); // one second into a 3 s window
    expect(await limiter.take('k', rules)).toEqual(admitted);
    expect(await limiter.take('k', rules)).toEqual(refused(1, 2));
    await under.toWindowStart(3);
    expect(await limiter.take('k', rules)).toEqual(admitted);
  });

  it('names the window that frees a slot last, the longer one when both free it together', async () => {
    const rules = [
      { limit: 1, windowSeconds: 1 },
      { limit: 3, windowSeconds: 3 },
    ];
    await under.toWindowStart(3);
    expect(await limiter.take('k', rules)).toEqual(admitted);
    expect(await limiter.take('k', rules)).toEqual(refused(1, 1));
    await under.toWindowStart(1);
    expect(await limiter.take('k', rules)).toEqual(admitted);
    await under.toWindowStart(1); // the last second of the 3 s window
    expect(await limiter.take('k', rules)).toEqual(admitted);
    // Both windows are full and both free a slot in 1 s: the 3 s window is named.
    expect(await limiter.take('k', rules)).toEqual(refused(3, 1));
  });

  it('the longer wait is reported when the longer window is full', async () => {
    const rules = [
      { limit: 1, windowSeconds: 1 },
      { limit: 2, windowSeconds: 3 },
    ];
    await under.toWindowStart(3);
    expect(await limiter.take('k', rules)).toEqual(admitted);
    await under.toWindowStart(1);
    expect(await limiter.take('k', rules)).toEqual(admitted);
    // The second is full (1 s) and so is the 3 s window (2 s): 2 s is when a take passes again.
    expect(await limiter.take('k', rules)).toEqual(refused(2, 2));
  });

  it('each key has its own counts', async () => {
    const rules = [{ limit: 1, windowSeconds: 60 }];
    await under.toWindowStart(1);
    expect(await limiter.take('upload:cli_a:t1', rules)).toEqual(admitted);
    expect((await limiter.take('upload:cli_a:t1', rules)).ok).toBe(false);
    expect(await limiter.take('upload:cli_a:t2', rules)).toEqual(admitted);
    expect(await limiter.take('download:cli_a:t1', rules)).toEqual(admitted);
  });

  it('with no rules, every take passes', async () => {
    expect(await takes(3, 'k', [])).toEqual([admitted, admitted, admitted]);
  });
});
