import type { Logger } from 'pino';
import type { RateLimitConfig } from '../config/config.js';
import { FallbackRateLimiter } from './fallback-rate-limiter.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/** Wraps each counter store as it is built (metrics time them: src/observe/instrument.ts). */
export type RateLimitStoreWrapper = (limiter: RateLimiter, backend: 'memory' | 'redis') => RateLimiter;

/**
 * Where this deployment's counts live: in the process (one instance), or in Redis (shared by
 * all). `wrap` sees the stores themselves, inside the fallback, so that Redis's own failures are
 * timed and counted even when the fallback policy answers for it.
 */
export function createRateLimiter(config: RateLimitConfig, log: Logger, wrap: RateLimitStoreWrapper = (l) => l): RateLimiter {
  switch (config.store.kind) {
    case 'memory':
      return wrap(new MemoryRateLimiter(), 'memory');
    case 'redis':
      return new FallbackRateLimiter(
        wrap(new RedisRateLimiter({ url: config.store.url, keyPrefix: 'lingo:rl:' }), 'redis'),
        config.store.onStoreError,
        wrap(new MemoryRateLimiter(), 'memory'),
        log,
      );
  }
}
