import type { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../../src/ratelimit/redis-rate-limiter.js';
import { downloadPath, request } from '../../helpers/http.js';
import { adminClient, deleteKeys, toRedisWindowStart } from '../../helpers/redis.js';
import { startServer } from '../../helpers/server.js';
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
    await deleteKeys(admin, `${keyPrefix}*`);
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

  it('through HTTP with --redis-url: the same 429 answer and headers', async () => {
    const server = await startServer({ redisUrl: serviceUrl('redis'), rateLimitPerSecond: 50, rateLimitPerMinute: 1000 });
    const creds = await server.newApp();
    try {
      const token = await server.tenantToken(creds);
      await toRedisWindowStart(admin, 1);
      const results = await Promise.all(
        Array.from({ length: 80 }, () =>
          request(server.baseUrl, { path: downloadPath('boxbc0000000000000000000000'), headers: { Authorization: `Bearer ${token}` } }),
        ),
      );
      expect(results.filter((r) => r.status === 400)).toHaveLength(50);
      const limited = results.filter((r) => r.status === 429);
      expect(limited).toHaveLength(30);
      for (const r of limited) {
        expect(r.json().code).toBe(99991400);
        expect([r.headers['x-ogw-ratelimit-limit'], r.headers['x-ogw-ratelimit-reset'], r.headers['retry-after']]).toEqual(['50', '1', '1']);
      }
      // The server's counts are in Redis, under the operation, the app and the tenant.
      expect(await admin.keys(`lingo:rl:*:${creds.app_id}:*`)).toEqual([`lingo:rl:lingo.v1.file.download:${creds.app_id}:${creds.tenant_key}`]);
    } finally {
      await server.close();
      await deleteKeys(admin, `lingo:rl:*:${creds.app_id}:*`);
    }
  });
});
