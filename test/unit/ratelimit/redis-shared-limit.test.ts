import type { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../../src/ratelimit/redis-rate-limiter.js';
import { adminClient, deleteKeys, toRedisWindowStart } from '../../helpers/redis.js';
import { describeWithServices, serviceUrl, uniqueName } from '../../helpers/services.js';

const feishu = [
  { limit: 50, windowSeconds: 1 },
  { limit: 1000, windowSeconds: 60 },
];

describeWithServices(['redis'], 'RedisRateLimiter: N instances share one limit', () => {
  let admin: Redis;
  let keyPrefix: string;
  let instances: RedisRateLimiter[];
  beforeEach(async () => {
    admin = adminClient(serviceUrl('redis'));
    keyPrefix = `${uniqueName('lingo-test-rl-')}:`;
    // Each with its own connection, as two servers would have.
    instances = [new RedisRateLimiter({ url: serviceUrl('redis'), keyPrefix }), new RedisRateLimiter({ url: serviceUrl('redis'), keyPrefix })];
    await Promise.all(instances.map((l) => l.open()));
  });
  afterEach(async () => {
    await Promise.all(instances.map((l) => l.close()));
    await deleteKeys(admin, keyPrefix);
    admin.disconnect();
  });

  it('80 concurrent takes across two instances within one Redis second: exactly 50 pass', async () => {
    await toRedisWindowStart(admin, 1);
    const decisions = await Promise.all(Array.from({ length: 80 }, (_, i) => instances[i % 2]!.take('download:cli_a:t1', feishu)));
    expect(decisions.filter((d) => d.ok)).toHaveLength(50);
    expect(decisions.filter((d) => !d.ok)).toEqual(Array(30).fill({ ok: false, limit: 50, resetSeconds: 1 }));
  });

  it('the minute is shared too: what one instance spent, the other cannot', async () => {
    const rules = [
      { limit: 50, windowSeconds: 1 },
      { limit: 6, windowSeconds: 60 },
    ];
    await toRedisWindowStart(admin, 1);
    const first = await Promise.all(Array.from({ length: 4 }, () => instances[0]!.take('k', rules)));
    expect(first.every((d) => d.ok)).toBe(true);
    const second = await Promise.all(Array.from({ length: 4 }, () => instances[1]!.take('k', rules)));
    expect(second.filter((d) => d.ok)).toHaveLength(2);
    expect(second.find((d) => !d.ok)).toMatchObject({ ok: false, limit: 6 });
  });

  it('one hash per key, holding each window and its count, expiring with the longest window', async () => {
    await toRedisWindowStart(admin, 1);
    await Promise.all(Array.from({ length: 3 }, () => instances[0]!.take('upload:cli_a:t1', feishu)));
    expect(await admin.keys(`${keyPrefix}*`)).toEqual([`${keyPrefix}upload:cli_a:t1`]);
    const hash = await admin.hgetall(`${keyPrefix}upload:cli_a:t1`);
    const [seconds] = await admin.time();
    const now = Number(seconds);
    expect(hash).toEqual({ w1: String(now), c1: '3', w60: String(now - (now % 60)), c60: '3' });
    const ttl = await admin.ttl(`${keyPrefix}upload:cli_a:t1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
