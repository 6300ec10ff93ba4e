import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateDecision, RateLimiter, RateLimitRule } from './rate-limiter.js';

/**
 * In-process limits for one instance. rate-limiter-flexible counts; we add the two-window rule:
 * take from each window in turn and give back what was taken if a later window refuses.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, RateLimiterMemory>();

  async take(key: string, rules: readonly RateLimitRule[]): Promise<RateDecision> {
    const taken: RateLimiterMemory[] = [];
    for (const rule of rules) {
      const limiter = this.limiterFor(rule);
      try {
        await limiter.consume(key, 1);
        taken.push(limiter);
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        // The refused point was counted by consume(); give it back with the others.
        await Promise.all([limiter, ...taken].map((l) => l.reward(key, 1)));
        return { ok: false, limit: rule.limit, resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
      }
    }
    return { ok: true };
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  private limiterFor(rule: RateLimitRule): RateLimiterMemory {
    const id = `${rule.limit}/${rule.windowSeconds}`;
    let limiter = this.windows.get(id);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: rule.limit, duration: rule.windowSeconds, keyPrefix: id });
      this.windows.set(id, limiter);
    }
    return limiter;
  }
}
