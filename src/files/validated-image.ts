import { invalidParam } from '../errors/lingo-error.js';
import { createImageInspector } from '../images/inspector.js';
import { ImageInvalidError, type ImageInfo } from '../images/types.js';
import { checkCompleteSize, checkDimensions, checkSizeSoFar } from './upload-rules.js';

/**
 * The file part's chunks, passed through unchanged while the format walker reads along, so the
 * bytes are validated, hashed and written in one pass. Iterating it throws at the first byte
 * known bad, which makes the blob store drop its temp file; `info` is set only once the whole
 * file has been judged.
 *
 * An async iterable rather than a Transform in a pipeline(): pipeline() builds an
 * AbortController per upload and, when it settles, an AbortError DOMException with a captured
 * stack, a cost the main thread feels under small uploads (docs/performance.md#validation-as-an-async-iterable). The blob store
 * pulls one chunk at a time, which is the backpressure; a source that errors or closes early (a
 * vanished client) makes the iteration throw, and a store that stops early destroys the source.
 */
export class ValidatedImage implements AsyncIterable<Buffer> {
  info: ImageInfo | undefined;

  constructor(private readonly source: AsyncIterable<Buffer> & { on?: (event: 'error', listener: () => void) => unknown }) {
    // The store may await other work (opening its temp file) before it first pulls, and until
    // then nothing else listens: an error emitted meanwhile (the client went away, the request
    // failed) would be an uncaught 'error' event, which ends the process. The iteration still
    // sees the error through its own listener; this one only keeps it from being fatal.
    source.on?.('error', () => {});
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const inspector = createImageInspector();
    let sizeBytes = 0;
    for await (const chunk of this.source) {
      sizeBytes += chunk.length;
      checkSizeSoFar(sizeBytes);
      try {
        inspector.push(chunk);
      } catch (err) {
        throw asFileViolation(err);
      }
      yield chunk;
    }
    checkCompleteSize(sizeBytes);
    let info: ImageInfo;
    try {
      info = inspector.end();
    } catch (err) {
      throw asFileViolation(err);
    }
    checkDimensions(info);
    this.info = info;
  }
}

function asFileViolation(err: unknown): Error {
  if (err instanceof ImageInvalidError) return invalidParam('file', err.message);
  return err instanceof Error ? err : new Error(String(err));
}
