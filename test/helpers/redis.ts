import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** A plain client for what tests do beside the limiter: read TIME, pause, clean up. */
export function adminClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
}

/** Redis's clock, in ms: the only clock the Redis limiter's windows follow. */
export async function redisNowMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Sleep until the first milliseconds of the next second of Redis TIME that is a multiple of
 * `windowSeconds`: a window of that length starts there, and a burst sent at once lands in it.
 */
export async function toRedisWindowStart(redis: Redis, windowSeconds = 1): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = await redisNowMs(redis);
    const target = (Math.floor(now / 1000 / windowSeconds) + 1) * windowSeconds * 1000;
    await sleep(target - now + 5);
    const arrived = await redisNowMs(redis);
    if (arrived >= target && arrived < target + 200) return;
  }
  throw new Error(`could not reach the start of a ${windowSeconds} s window of Redis TIME (machine too busy?)`);
}

/** Removes every key that `pattern` matches (SCAN's glob, e.g. `prefix*`). */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A redis-server of the test's own, that it may stop and start again on the same port. */
export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  /** SHUTDOWN NOSAVE: the port refuses connections until start(). */
  stop(): Promise<void>;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

/** With `password`, clients must AUTH: its URL carries it, so tests can check that nothing prints it. */
export async function ownRedis(password?: string): Promise<OwnRedis> {
  const dir = makeTempDir('redis');
  const port = await freePort();
  const pidFile = path.join(dir, 'redis.pid');
  const auth = password ? ['-a', password, '--no-auth-warning'] : [];
  const cli = (...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(port), ...auth, ...args], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const ping = (): boolean => {
    try {
      return cli('ping') === 'PONG';
    } catch {
      return false;
    }
  };
  const waitFor = async (up: boolean): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      if (ping() === up && (up || !fs.existsSync(pidFile))) return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${port} did not ${up ? 'start' : 'stop'} within 5 s`);
  };
  const own: OwnRedis = {
    url: `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}/0`,
    start: async () => {
      if (ping()) return;
      execFileSync('redis-server', [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        ...['--daemonize', 'yes', '--dir', dir, '--pidfile', pidFile, '--logfile', path.join(dir, 'redis.log')],
        ...(password ? ['--requirepass', password] : []),
      ]);
      await waitFor(true);
    },
    stop: async () => {
      if (!ping()) return;
      try {
        cli('shutdown', 'nosave');
      } catch {
        // redis-cli reports the connection that SHUTDOWN closes as an error.
      }
      await waitFor(false);
    },
    destroy: async () => {
      await own.stop();
      removeDir(dir);
    },
  };
  await own.start();
  return own;
}
