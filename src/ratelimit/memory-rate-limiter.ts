import { countsExpireAt, takeFromWindows, type WindowCount, type WindowCounts } from './fixed-windows.js';
import type { RateDecision, RateLimiter, RateLimitRule } from './rate-limiter.js';

/** How often counts of past windows are dropped, in seconds: keys of idle tenants do not pile up. */
const sweepEverySeconds = 60;

/**
 * In-process limits for one instance: the windows of src/ratelimit/fixed-windows.ts, the same as
 * the Redis limiter's, on this process's clock (`now`, in ms, is injectable for tests).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, WindowCounts>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async open(): Promise<void> {}

  async take(key: string, rules: readonly RateLimitRule[]): Promise<RateDecision> {
    const nowSeconds = Math.floor(this.now() / 1000);
    if (nowSeconds >= this.nextSweep) this.sweep(nowSeconds);
    let counts = this.counts.get(key);
    if (!counts) {
      counts = new Map<number, WindowCount>();
      this.counts.set(key, counts);
    }
    return takeFromWindows(counts, rules, nowSeconds);
  }

  async close(): Promise<void> {
    this.counts.clear();
  }

  private sweep(nowSeconds: number): void {
    for (const [key, counts] of this.counts) if (countsExpireAt(counts) <= nowSeconds) this.counts.delete(key);
    this.nextSweep = nowSeconds + sweepEverySeconds;
  }
}
