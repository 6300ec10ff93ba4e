import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ValidatedImage } from '../../../src/files/validated-image.js';
import { makeImage } from '../../fixtures/images.js';
import { readAll } from '../../helpers/streams.js';

describe('ValidatedImage', () => {
  it('passes the bytes through unchanged and judges the whole file', async () => {
    const png = await makeImage('png', 320, 400);
    const source = new PassThrough();
    source.end(png);
    const validated = new ValidatedImage(source);
    expect((await readAll(validated)).equals(png)).toBe(true);
    expect(validated.info).toMatchObject({ format: 'png', width: 320, height: 400 });
  });

  it('a source that fails before anyone pulls is an error of the iteration, not an uncaught event', async () => {
    const source = new PassThrough();
    const validated = new ValidatedImage(source);
    // Without a listener this 'error' event would end the process (the store may still be
    // opening its temp file when the client goes away).
    source.destroy(new Error('client went away'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(readAll(validated)).rejects.toThrow('client went away');
    expect(validated.info).toBeUndefined();
  });

  it('stops at the first bad byte, and a consumer that stops destroys the source', async () => {
    const source = new PassThrough();
    source.write(Buffer.from('not an image at all'));
    await expect(readAll(new ValidatedImage(source))).rejects.toMatchObject({ key: 'invalidParam' });
    expect(source.destroyed).toBe(true);
  });
});
