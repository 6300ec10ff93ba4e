/** Fixed windows, "whichever trips first" (Feishu: 50 per second and 1000 per minute). */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export type RateDecision = { ok: true } | { ok: false; limit: number; resetSeconds: number };

export interface RateLimiter {
  /**
   * Count one request against every rule for `key`. A rejected request consumes no quota in any
   * window, so a client that keeps hammering is admitted again as soon as the window allows.
   */
  take(key: string, rules: readonly RateLimitRule[]): Promise<RateDecision>;
  close(): Promise<void>;
}
