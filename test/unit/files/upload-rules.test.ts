import { describe, expect, it } from 'vitest';
import { LingoError } from '../../../src/errors/lingo-error.js';
import { checkCompleteSize, checkSizeSoFar, uploadLimits } from '../../../src/files/upload-rules.js';

/** The LingoError `fn` throws, or undefined if it throws none. */
function thrown(fn: () => void): LingoError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof LingoError) return err;
    throw err;
  }
  return undefined;
}

describe('the byte-size rule (3 KiB to 10 MiB)', () => {
  it('is 3 KiB to 10 MiB, bounds included', () => {
    expect(uploadLimits.minFileBytes).toBe(3072);
    expect(uploadLimits.maxFileBytes).toBe(10 * 1024 * 1024);
    expect(thrown(() => checkCompleteSize(3072))).toBeUndefined();
    expect(thrown(() => checkSizeSoFar(10 * 1024 * 1024))).toBeUndefined();
  });

  it('past the maximum while streaming: 400 on file, and the connection is closed', () => {
    const err = thrown(() => checkSizeSoFar(10 * 1024 * 1024 + 1));
    expect(err?.key).toBe('invalidParam');
    expect(err?.details.fieldViolations).toEqual([{ field: 'file', description: 'file is larger than 10485760 bytes (10 MiB)' }]);
    expect(err?.details.closeConnection).toBe(true);
  });

  it('under the minimum once complete: 400 on file, the connection kept (the body was read)', () => {
    const err = thrown(() => checkCompleteSize(3071));
    expect(err?.details.fieldViolations).toEqual([{ field: 'file', description: 'file is 3071 bytes; it must be at least 3072 bytes (3 KiB)' }]);
    expect(err?.details.closeConnection).toBe(false);
  });
});
