import { randomBytes, randomFillSync } from 'node:crypto';

const nonceBytes = 16;

/**
 * A `name` + `file` multipart upload body whose file part is the image followed by random
 * trailing bytes (which the server accepts after the image's logical end). The last 16 of them
 * are rewritten before every request, so no two requests carry the same file and content
 * deduplication can never skip the durable write.
 */
export class UploadBody {
  readonly contentType: string;
  /** Bytes of the file part alone (image + trailing bytes). */
  readonly fileBytes: number;
  private readonly buf: Buffer;
  private readonly nonceAt: number;

  /** `fileBytes`, when given, pads the file part with random bytes to exactly that length. */
  constructor(image: Buffer, name: string, fileBytes = image.length + nonceBytes) {
    if (fileBytes < image.length + nonceBytes) throw new Error(`cannot pad a ${image.length}-byte image to ${fileBytes} bytes`);
    const boundary = '----lingobench' + randomBytes(12).toString('hex');
    this.contentType = `multipart/form-data; boundary=${boundary}`;
    this.fileBytes = fileBytes;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${name}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
      'utf8',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
    const padding = randomBytes(fileBytes - image.length);
    this.buf = Buffer.concat([head, image, padding, tail]);
    this.nonceAt = head.length + fileBytes - nonceBytes;
  }

  get length(): number {
    return this.buf.length;
  }

  /**
   * Rewrites the nonce in place and returns the shared buffer. Only for clients that copy the
   * body synchronously (autocannon's request builder concatenates it into the request at once).
   */
  nextShared(): Buffer {
    randomFillSync(this.buf, this.nonceAt, nonceBytes);
    return this.buf;
  }

  /** A private copy with a fresh nonce, for clients that keep the reference (node:http). */
  nextCopy(): Buffer {
    return Buffer.from(this.nextShared());
  }
}
