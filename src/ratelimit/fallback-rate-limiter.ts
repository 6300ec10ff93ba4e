import type { Logger } from 'pino';
import type { RateLimitStoreErrorPolicy } from '../config/config.js';
import { LingoError } from '../errors/lingo-error.js';
import { RateLimitStoreError, type RateDecision, type RateLimiter, type RateLimitRule } from './rate-limiter.js';

/** While the store is failing, one request per interval tries it again; the others do not wait on it. */
const probeIntervalMs = 500;

/**
 * The shared store's limiter, and what to do when the store fails (`--rate-limit-on-store-error`):
 * `local` decides with this instance's own limiter (same rules, counted per instance), `open`
 * admits, `closed` answers 500 2250002. Gateways fail open by default (Kong's `fault_tolerant`,
 * Envoy's `failure_mode_deny: false`); `local` still bounds each instance. Back on the store as
 * soon as it answers again.
 */
export class FallbackRateLimiter implements RateLimiter {
  /** Switches away from the store, and requests decided without it: read by /metrics (src/observe/metrics.ts) and tests. */
  readonly counters = { switchesToFallback: 0, decidedWithoutStore: 0 };
  private failing: RateLimitStoreError | undefined;
  private nextProbeAt = 0;

  constructor(
    private readonly store: RateLimiter,
    private readonly policy: RateLimitStoreErrorPolicy,
    private readonly local: RateLimiter,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The store is failing: the policy decides until it answers again. */
  get degraded(): boolean {
    return this.failing !== undefined;
  }

  async open(): Promise<void> {
    await Promise.all([this.store.open(), this.local.open()]);
  }

  async take(key: string, rules: readonly RateLimitRule[]): Promise<RateDecision> {
    if (!this.failing || this.now() >= this.nextProbeAt) {
      if (this.failing) this.nextProbeAt = this.now() + probeIntervalMs;
      try {
        const decision = await this.store.take(key, rules);
        this.recovered();
        return decision;
      } catch (err) {
        if (!(err instanceof RateLimitStoreError)) throw err;
        this.failed(err);
      }
    }
    this.counters.decidedWithoutStore++;
    switch (this.policy) {
      case 'local':
        return this.local.take(key, rules);
      case 'open':
        return { ok: true };
      case 'closed':
        throw new LingoError('internal', { cause: this.failing });
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.store.close(), this.local.close()]);
  }

  private failed(err: RateLimitStoreError): void {
    this.nextProbeAt = this.now() + probeIntervalMs;
    const switching = !this.failing;
    this.failing = err;
    if (!switching) return;
    this.counters.switchesToFallback++;
    this.log.warn({ err: err.message, policy: this.policy }, 'rate limit store failed: limits now follow --rate-limit-on-store-error');
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = undefined;
    this.log.info('rate limit store answers again: limits are global again');
  }
}
