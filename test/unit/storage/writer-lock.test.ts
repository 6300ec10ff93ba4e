import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryTakeWriterLock } from '../../../src/storage/writer-lock.js';
import { tempDirPerTest } from './segments/fixtures.js';

describe('writer lock', () => {
  const tmp = tempDirPerTest('lingo-lock-');

  it('one holder at a time; released, it can be taken again', () => {
    const file = path.join(tmp.path, 'writer.lock');
    const first = tryTakeWriterLock(file);
    expect(first).toBeDefined();
    expect(tryTakeWriterLock(file)).toBeUndefined();
    first!.release();
    const second = tryTakeWriterLock(file);
    expect(second).toBeDefined();
    second!.release();
  });
});
