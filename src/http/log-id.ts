import { randomFromPool } from '../random/random-pool.js';

/** The UTC stamp changes once a second; it is formatted once a second, not per request. */
let stampSecond = -1;
let stamp = '';

/** Feishu's request id: UTC yyyyMMddHHmmss followed by 20 uppercase hex digits (34 characters). */
export function newLogId(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = new Date(second * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  }
  return stamp + randomFromPool(10).toString('hex').toUpperCase();
}
