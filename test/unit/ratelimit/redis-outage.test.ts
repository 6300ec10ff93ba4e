import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RateLimitStoreErrorPolicy } from '../../../src/config/config.js';
import { buildApp } from '../../../src/app.js';
import { buildConfig, ConfigError } from '../../../src/config/config.js';
import { FallbackRateLimiter } from '../../../src/ratelimit/fallback-rate-limiter.js';
import { MemoryRateLimiter } from '../../../src/ratelimit/memory-rate-limiter.js';
import type { RateDecision } from '../../../src/ratelimit/rate-limiter.js';
import { RedisRateLimiter } from '../../../src/ratelimit/redis-rate-limiter.js';
import { downloadPath, request } from '../../helpers/http.js';
import { freePort } from '../../helpers/free-port.js';
import { adminClient, ownRedis, toRedisWindowStart, type OwnRedis } from '../../helpers/redis.js';
import { startServer } from '../../helpers/server.js';
import { describeWithServices, uniqueName } from '../../helpers/services.js';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.js';

const feishu = [
  { limit: 50, windowSeconds: 1 },
  { limit: 1000, windowSeconds: 60 },
];

/** A limiter as `createRateLimiter` builds it for --redis-url, with the log lines it writes. */
function instance(url: string, keyPrefix: string, policy: RateLimitStoreErrorPolicy) {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const limiter = new FallbackRateLimiter(new RedisRateLimiter({ url, keyPrefix }), policy, new MemoryRateLimiter(), pino({ level: 'info' }, sink));
  return { limiter, lines };
}

/** Takes `n` at once, and how long the slowest took. */
async function timedTakes(limiter: FallbackRateLimiter, n: number, key = 'download:cli_a:t1'): Promise<{ decisions: RateDecision[]; slowestMs: number }> {
  let slowestMs = 0;
  const decisions = await Promise.all(
    Array.from({ length: n }, async () => {
      const started = performance.now();
      const d = await limiter.take(key, feishu);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      return d;
    }),
  );
  return { decisions, slowestMs };
}

/** Takes until one is decided by the store again (bounded: Redis reconnects within about a second). */
async function untilGlobal(limiter: FallbackRateLimiter): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = limiter.counters.decidedWithoutStore;
    await limiter.take('probe', feishu);
    if (limiter.counters.decidedWithoutStore === before) return;
    await sleep(100);
  }
  throw new Error('still deciding without the store 5 s after Redis came back');
}

/** The first milliseconds of a second of this process's clock, which the local limiter follows. */
const toLocalSecondStart = () => sleep(1000 - (Date.now() % 1000) + 5);

const admittedCount = (ds: RateDecision[]) => ds.filter((d) => d.ok).length;

// A redis-server of our own, stopped and paused at will: the shared one serves other suites.
describeWithServices(['redis'], 'Redis down or stalled: the --rate-limit-on-store-error policies', () => {
  let redis: OwnRedis;
  let admin: Redis;
  let keyPrefix: string;
  const opened: FallbackRateLimiter[] = [];
  const open = async (policy: RateLimitStoreErrorPolicy) => {
    const made = instance(redis.url, keyPrefix, policy);
    await made.limiter.open();
    opened.push(made.limiter);
    return made;
  };

  beforeAll(async () => {
    redis = await ownRedis('s3cret');
  });
  afterAll(async () => {
    await redis.destroy();
  });
  beforeEach(async () => {
    await redis.start();
    admin = adminClient(redis.url);
    keyPrefix = `${uniqueName('lingo-test-rl-')}:`;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((l) => l.close()));
    admin.disconnect();
  });

  it('local: each instance keeps the limits on its own while Redis is down, says so once, and is global again when it returns', async () => {
    const a = await open('local');
    const b = await open('local');
    await toRedisWindowStart(admin, 1);
    const global = await Promise.all([timedTakes(a.limiter, 30), timedTakes(b.limiter, 30)]);
    expect(admittedCount(global.flatMap((t) => t.decisions))).toBe(50);

    admin.disconnect();
    await redis.stop();
    await toLocalSecondStart();
    const [alone, other] = await Promise.all([timedTakes(a.limiter, 60), timedTakes(b.limiter, 60)]);
    // Per instance now: 50 each, and nobody waited on the dead Redis.
    expect([admittedCount(alone.decisions), admittedCount(other.decisions)]).toEqual([50, 50]);
    expect(alone.decisions.find((d) => !d.ok)).toEqual({ ok: false, limit: 50, resetSeconds: 1 });
    expect(Math.max(alone.slowestMs, other.slowestMs)).toBeLessThan(1000);
    await timedTakes(a.limiter, 20, 'other-key');
    expect(a.limiter.counters.switchesToFallback).toBe(1);
    expect(a.limiter.counters.decidedWithoutStore).toBeGreaterThanOrEqual(80);
    expect(a.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['rate limit store failed: limits now follow --rate-limit-on-store-error']);

    await redis.start();
    admin = adminClient(redis.url);
    await Promise.all([untilGlobal(a.limiter), untilGlobal(b.limiter)]);
    expect(a.lines.filter((l) => l.msg.includes('answers again'))).toHaveLength(1);
    await toRedisWindowStart(admin, 1);
    const back = await Promise.all([timedTakes(a.limiter, 30, 'again'), timedTakes(b.limiter, 30, 'again')]);
    expect(admittedCount(back.flatMap((t) => t.decisions))).toBe(50);
  });

  it('open: every request passes while Redis is down', async () => {
    const a = await open('open');
    await redis.stop();
    const { decisions, slowestMs } = await timedTakes(a.limiter, 80);
    expect(admittedCount(decisions)).toBe(80);
    expect(slowestMs).toBeLessThan(1000);
    expect(a.limiter.counters).toEqual({ switchesToFallback: 1, decidedWithoutStore: 80 });
  });

  it('local, with Redis paused (CLIENT PAUSE): no take waits more than about the command timeout', async () => {
    const a = await open('local');
    await a.limiter.take('warm', feishu);
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const started = performance.now();
    const { decisions, slowestMs } = await timedTakes(a.limiter, 20);
    expect(admittedCount(decisions)).toBe(20);
    expect(slowestMs).toBeLessThan(1000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(a.limiter.counters.switchesToFallback).toBe(1);
    await untilGlobal(a.limiter);
  });

  it('closed: 500 2250002 over HTTP while Redis is down, quickly; served again when it returns', async () => {
    const server = await startServer({ redisUrl: redis.url, rateLimitOnStoreError: 'closed', rateLimitPerSecond: 50, rateLimitPerMinute: 1000 });
    try {
      const token = await server.tenantToken(await server.newApp());
      const get = () => request(server.baseUrl, { path: downloadPath('boxbc0000000000000000000000'), headers: { Authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(400);
      await redis.stop();
      const started = performance.now();
      const refused = await get();
      expect([refused.status, refused.json().code]).toEqual([500, 2250002]);
      expect(performance.now() - started).toBeLessThan(1000);
      await redis.start();
      let status = 0;
      for (let i = 0; i < 50 && status !== 400; i++) {
        await sleep(100);
        status = (await get()).status;
      }
      expect(status).toBe(400);
      // The cause is logged with each 500, and the switch once: never the password of --redis-url.
      expect(server.logs.some((l) => l.includes('rate limit store failed'))).toBe(true);
      expect(server.logs.join('\n')).not.toContain('s3cret');
    } finally {
      await server.close();
    }
  });
});

describeWithServices(['redis'], 'Redis unreachable at start', () => {
  it('open() fails within about 2 s with a ConfigError naming --redis-url, without the password', async () => {
    const url = `redis://lingo:s3cret@127.0.0.1:${await freePort()}/0`;
    const limiter = new RedisRateLimiter({ url, keyPrefix: 'x:' });
    const started = performance.now();
    const err: unknown = await limiter.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^--redis-url: cannot reach redis:\/\/lingo:\*\*\*@127\.0\.0\.1:\d+\/0 \(connect ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret');
    expect(performance.now() - started).toBeLessThan(2500);
    await limiter.close();
  });

  it('and the server does not start', async () => {
    const dataDir = makeTempDir('redis-start');
    const app = buildApp(buildConfig({ dataDir, port: 0, redisUrl: `redis://127.0.0.1:${await freePort()}/0` }), { log: pino({ level: 'silent' }) });
    try {
      await expect(app.listen()).rejects.toThrow(/^--redis-url: cannot reach/);
      expect(app.server.listening).toBe(false);
    } finally {
      await app.close();
      removeDir(dataDir);
    }
  });
});
