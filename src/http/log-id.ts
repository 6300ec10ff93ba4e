import { randomBytes } from 'node:crypto';

/** Feishu's request id: UTC yyyyMMddHHmmss followed by 20 uppercase hex digits (34 characters). */
export function newLogId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}
