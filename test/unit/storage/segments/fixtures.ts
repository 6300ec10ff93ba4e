import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { readAll } from '../../../helpers/streams.js';
import { SegmentIndex } from '../../../../src/storage/segments/segment-index.js';

export { sha256Of as sha } from '../../../helpers/bytes.js';

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

/** A blob's bytes, or undefined where the store has none. */
export async function readStream(stream: AsyncIterable<Buffer> | undefined): Promise<Buffer | undefined> {
  return stream && readAll(stream);
}

export async function collectKeys(listing: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of listing) keys.push(key);
  return keys.sort();
}

/** Opens a segment index in the test's directory; every one opened is closed after the test. */
export function indexesPerTest(tmp: { readonly path: string }): () => SegmentIndex {
  const opened: SegmentIndex[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((i) => i.close()));
  });
  return () => {
    const i = new SegmentIndex(path.join(tmp.path, 'index.sqlite'));
    opened.push(i);
    return i;
  };
}
