import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A fresh directory per test, removed after it (after the test's own afterEach hooks). */
export function tempDirPerTest(prefix: string): { readonly path: string } {
  const dir = { path: '' };
  beforeEach(() => {
    dir.path = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(dir.path, { recursive: true, force: true }));
  return dir;
}

export const segmentFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .sort();

export async function readStream(stream: AsyncIterable<unknown> | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function collectKeys(listing: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of listing) keys.push(key);
  return keys.sort();
}
