/**
 * Fixed windows aligned on the clock (a 60 s window runs from :00 to :59), "whichever trips
 * first" (Feishu: 50 per second and 1000 per minute).
 */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** On refusal: the limit of the window that holds the request back longest, and that wait in whole seconds. */
export type RateDecision = { ok: true } | { ok: false; limit: number; resetSeconds: number };

export interface RateLimiter {
  /** Reach the counter store, or fail: called once before the server listens. */
  open(): Promise<void>;
  /**
   * Count one request against every rule for `key`. A rejected request consumes no quota in any
   * window, so a client that keeps hammering is admitted again as soon as the window allows.
   * Throws RateLimitStoreError when the counts could not be read or written.
   */
  take(key: string, rules: readonly RateLimitRule[]): Promise<RateDecision>;
  close(): Promise<void>;
}

/** The shared counter store failed or did not answer in time; the caller decides what that means. */
export class RateLimitStoreError extends Error {
  override readonly name = 'RateLimitStoreError';
}
