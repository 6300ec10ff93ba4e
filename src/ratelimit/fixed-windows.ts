import type { RateDecision, RateLimitRule } from './rate-limiter.js';

/** One window's count, valid while `start` is the start of the current window. */
export interface WindowCount {
  start: number;
  count: number;
}

/** The counts of one key, by window length in seconds: rules with the same window share a count. */
export type WindowCounts = Map<number, WindowCount>;

/**
 * The one algorithm of every limiter; src/ratelimit/redis-take-script.ts runs the same steps in
 * Lua. Windows start where `nowSeconds` is a multiple of their length. All rules are checked
 * before any count moves: admitted, every window counts the request; refused, none does. Of the
 * windows that refuse, the answer names the one that frees a slot last (the longer window on a
 * tie), so the reset a client is told is the wait that really admits it.
 */
export function takeFromWindows(counts: WindowCounts, rules: readonly RateLimitRule[], nowSeconds: number): RateDecision {
  let refused: { limit: number; resetSeconds: number; windowSeconds: number } | undefined;
  for (const { limit, windowSeconds } of rules) {
    const start = nowSeconds - (nowSeconds % windowSeconds);
    const current = counts.get(windowSeconds);
    const count = current?.start === start ? current.count : 0;
    if (count < limit) continue;
    const resetSeconds = start + windowSeconds - nowSeconds;
    if (!refused || resetSeconds > refused.resetSeconds || (resetSeconds === refused.resetSeconds && windowSeconds > refused.windowSeconds)) {
      refused = { limit, resetSeconds, windowSeconds };
    }
  }
  if (refused) return { ok: false, limit: refused.limit, resetSeconds: refused.resetSeconds };
  for (const windowSeconds of new Set(rules.map((r) => r.windowSeconds))) {
    const start = nowSeconds - (nowSeconds % windowSeconds);
    const current = counts.get(windowSeconds);
    counts.set(windowSeconds, { start, count: current?.start === start ? current.count + 1 : 1 });
  }
  return { ok: true };
}

/** The second from which every count of `counts` belongs to a past window. */
export function countsExpireAt(counts: WindowCounts): number {
  let end = 0;
  for (const [windowSeconds, { start }] of counts) end = Math.max(end, start + windowSeconds);
  return end;
}
