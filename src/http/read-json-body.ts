import type { IncomingMessage } from 'node:http';
import { readBounded } from './json-request.js';

export const maxJsonBodyBytes = 64 * 1024;

/** Reads a small JSON body. Returns undefined when it is not valid JSON or exceeds the cap. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxJsonBodyBytes) return undefined;
  // Not `for await`: leaving it early would destroy the socket before the answer is written.
  const body = await readBounded(req, maxJsonBodyBytes);
  if (body === 'too-large' || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
