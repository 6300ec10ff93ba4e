import { Redis, type Result } from 'ioredis';
import { ConfigError } from '../config/config.js';
import { withoutUrlPassword } from '../config/setting-kinds.js';
import { RateLimitStoreError, type RateDecision, type RateLimiter, type RateLimitRule } from './rate-limiter.js';
import { takeScript } from './redis-take-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    lingoRateTake(key: string, ...limitsAndWindows: number[]): Result<number[], Context>;
  }
}

export interface RedisRateLimiterOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS). */
  url: string;
  /** Before every key, so that deployments (and tests) sharing a Redis keep apart. */
  keyPrefix: string;
}

/**
 * A request never waits long on a dead or stalled Redis: no offline queue (a command fails at once
 * while disconnected), a short per-command timeout, and no replay after a reconnect (the request
 * has been decided without the store by then; replaying would count it twice).
 */
const commandTimeoutMs = 300;
const connectTimeoutMs = 1000;
/** Reconnect soon after an outage, so the global limit is back within about a second. */
const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 100, 1000);
/** At start: how long the first connection may take before the setting is called unreachable. */
const openTimeoutMs = 2000;

/**
 * Limits shared by every instance: the counts of each key live in one Redis hash, read, checked
 * and counted by one Lua script (src/ratelimit/redis-take-script.ts) in one round trip. One key
 * per call, so Redis Cluster needs no hash tags.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  /** The connection's last error: more telling than the "Connection is closed." a command gets. */
  private connectionError: Error | undefined;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs,
      connectTimeout: connectTimeoutMs,
      retryStrategy: reconnectDelayMs,
    });
    // Connection errors come back as failed takes, which the caller reports; without a listener
    // ioredis would print each reconnect attempt on stderr.
    this.redis.on('error', (err: Error) => {
      this.connectionError = err;
    });
    this.redis.defineCommand('lingoRateTake', { numberOfKeys: 1, lua: takeScript });
  }

  async open(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${openTimeoutMs} ms`)), openTimeoutMs);
    });
    try {
      await Promise.race([this.redis.connect(), timeout]);
    } catch (err) {
      this.redis.disconnect();
      throw new ConfigError(`--redis-url: cannot reach ${withoutUrlPassword(this.options.url)} (${this.scrub(this.connectionError ?? err)})`);
    } finally {
      clearTimeout(timer);
    }
  }

  async take(key: string, rules: readonly RateLimitRule[]): Promise<RateDecision> {
    let reply: number[];
    try {
      reply = await this.redis.lingoRateTake(this.options.keyPrefix + key, ...rules.flatMap((r) => [r.limit, r.windowSeconds]));
    } catch (err) {
      // No `cause`: the message is scrubbed, the client's error object might not be.
      throw new RateLimitStoreError(`redis: ${this.scrub(err)}`);
    }
    const [admitted, limit, resetSeconds] = reply;
    if (admitted === 1) return { ok: true };
    if (admitted === 0 && limit !== undefined && resetSeconds !== undefined) return { ok: false, limit, resetSeconds };
    throw new RateLimitStoreError(`redis: unexpected reply ${JSON.stringify(reply)}`);
  }

  async close(): Promise<void> {
    // Not QUIT: that would wait on a Redis that may be gone.
    this.redis.disconnect();
  }

  /** An error's message, never with the password of the URL in it. */
  private scrub(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    const password = URL.canParse(this.options.url) ? decodeURIComponent(new URL(this.options.url).password) : '';
    return password ? message.replaceAll(password, '***') : message;
  }
}
