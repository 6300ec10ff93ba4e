/**
 * The contract between the upload pipeline and the six format walkers.
 *
 * Uploads are validated while they stream: the pipeline pushes each chunk of the `file` part into
 * an ImageInspector as it arrives (the same chunk is hashed and written to a temp file), so a
 * 10 MiB body is never held in memory and a bad image is rejected at the first bad byte.
 */

export type ImageFormatId = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp' | 'ico';

export interface ImageInfo {
  format: ImageFormatId;
  /** Content-Type served on download, derived from the bytes, never from the client. */
  mime: string;
  /** Real pixel dimensions (for ICO: those of the largest entry, read from its PNG/DIB header). */
  width: number;
  height: number;
  /** Offset one past the format's logical end (PNG IEND, JPEG EOI, GIF trailer, …). */
  logicalEndBytes: number;
  /** Total bytes pushed, logical end plus trailing data. */
  totalBytes: number;
}

/** A structural defect in the image. `message` is the human reason put in field_violations. */
export class ImageInvalidError extends Error {
  override readonly name = 'ImageInvalidError';
}

export interface ImageInspector {
  /** Feed the next bytes, in order. Throws ImageInvalidError as soon as the bytes are known bad. */
  push(chunk: Buffer): void;
  /** No more bytes. Returns the verdict or throws ImageInvalidError (e.g. truncated). */
  end(): ImageInfo;
}
