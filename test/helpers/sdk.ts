import type { AxiosError } from 'axios';
import { Readable } from 'node:stream';
import { readAll } from './streams.js';

export type Wire = {
  code: number;
  msg: string;
  data?: Record<string, unknown>;
  error?: { log_id: string; permission_violations?: unknown[]; field_violations?: { field: string; description: string }[] };
};

/** Runs an SDK call expected to fail and returns what the SDK surfaced: HTTP status and body. */
export async function sdkFailure(call: () => Promise<unknown>): Promise<{ status: number; data: Wire; headers: Record<string, string> }> {
  try {
    await call();
  } catch (err) {
    const res = (err as AxiosError<Wire | Readable>).response;
    if (!res) throw err;
    // Download asks for a stream, so its error body arrives as one.
    const data = res.data instanceof Readable ? (JSON.parse((await readAll(res.data)).toString('utf8')) as Wire) : res.data;
    return { status: res.status, data, headers: res.headers as Record<string, string> };
  }
  throw new Error('the call succeeded');
}
