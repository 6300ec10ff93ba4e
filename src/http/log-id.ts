import { randomFillSync } from 'node:crypto';

/** Random hex digits drawn in bulk: one randomFillSync per 400 log ids instead of one each. */
const pool = Buffer.alloc(4000);
let poolOffset = pool.length;
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
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + 10).toUpperCase();
  poolOffset += 10;
  return stamp + hex;
}
