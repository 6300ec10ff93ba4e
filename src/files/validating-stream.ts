import { Transform, type TransformCallback } from 'node:stream';
import { invalidParam } from '../errors/lingo-error.js';
import { createImageInspector } from '../images/inspector.js';
import { ImageInvalidError, type ImageInfo } from '../images/types.js';
import { checkDimensions, uploadLimits } from './upload-rules.js';

/**
 * Passes the file part through unchanged while the format walker reads along, so the bytes are
 * validated, hashed and written in one pass. It errors at the first byte known bad, which makes
 * the blob store drop its temp file; `info` is set only once the whole file has been judged.
 */
export class ValidatingStream extends Transform {
  info: ImageInfo | undefined;
  private readonly inspector = createImageInspector();
  private sizeBytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.sizeBytes += chunk.length;
    if (this.sizeBytes > uploadLimits.maxFileBytes) {
      done(invalidParam('file', `file is larger than ${uploadLimits.maxFileBytes} bytes (10 MiB)`, true));
      return;
    }
    try {
      this.inspector.push(chunk);
    } catch (err) {
      done(asFileViolation(err));
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.sizeBytes < uploadLimits.minFileBytes) {
      done(invalidParam('file', `file is ${this.sizeBytes} bytes; it must be at least ${uploadLimits.minFileBytes} bytes (3 KiB)`));
      return;
    }
    try {
      const info = this.inspector.end();
      checkDimensions(info);
      this.info = info;
      done();
    } catch (err) {
      done(asFileViolation(err));
    }
  }
}

function asFileViolation(err: unknown): Error {
  if (err instanceof ImageInvalidError) return invalidParam('file', err.message);
  return err instanceof Error ? err : new Error(String(err));
}
