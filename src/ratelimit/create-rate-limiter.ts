import type { Logger } from 'pino';
import type { RateLimitConfig } from '../config/config.js';
import { FallbackRateLimiter } from './fallback-rate-limiter.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/** Where this deployment's counts live: in the process (one instance), or in Redis (shared by all). */
export function createRateLimiter(config: RateLimitConfig, log: Logger): RateLimiter {
  switch (config.store.kind) {
    case 'memory':
      return new MemoryRateLimiter();
    case 'redis':
      return new FallbackRateLimiter(
        new RedisRateLimiter({ url: config.store.url, keyPrefix: 'lingo:rl:' }),
        config.store.onStoreError,
        new MemoryRateLimiter(),
        log,
      );
  }
}
