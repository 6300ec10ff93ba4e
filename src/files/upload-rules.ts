import { invalidParam } from '../errors/lingo-error.js';
import type { ImageInfo } from '../images/types.js';

/**
 * The limits of Feishu's upload document for lingo v1 files ("3KB-10MB", "320-4096 像素", "1 ~ 100 字符"),
 * read as the wire contract pins them (KiB and MiB, code points).
 */
export const uploadLimits = {
  minFileBytes: 3 * 1024,
  maxFileBytes: 10 * 1024 * 1024,
  minDimensionPx: 320,
  maxDimensionPx: 4096,
  minNameCodePoints: 1,
  maxNameCodePoints: 100,
} as const;

/**
 * The byte-size rule, over the maximum: checked as the file streams in, so a file is refused as
 * soon as it is known too large, and the connection is closed rather than the rest read.
 */
export function checkSizeSoFar(sizeBytes: number): void {
  if (sizeBytes > uploadLimits.maxFileBytes) {
    throw invalidParam('file', `file is larger than ${uploadLimits.maxFileBytes} bytes (10 MiB)`, true);
  }
}

/** The byte-size rule, under the minimum: checked once the whole file is in. */
export function checkCompleteSize(sizeBytes: number): void {
  if (sizeBytes < uploadLimits.minFileBytes) {
    throw invalidParam('file', `file is ${sizeBytes} bytes; it must be at least ${uploadLimits.minFileBytes} bytes (3 KiB)`);
  }
}

export function checkDimensions(info: ImageInfo): void {
  const { minDimensionPx: min, maxDimensionPx: max } = uploadLimits;
  for (const [side, px] of [
    ['width', info.width],
    ['height', info.height],
  ] as const) {
    if (px < min || px > max) {
      throw invalidParam('file', `image ${side} is ${px} px; width and height must each be ${min}-${max} px`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `name` arrives as raw bytes: strict UTF-8, 1-100 code points, no C0 control characters or DEL. */
export function parseName(raw: Buffer): string {
  let name: string;
  try {
    name = utf8.decode(raw);
  } catch {
    throw invalidParam('name', 'name is not valid UTF-8');
  }
  const codePoints = [...name].length;
  const { minNameCodePoints: min, maxNameCodePoints: max } = uploadLimits;
  if (codePoints < min || codePoints > max) {
    throw invalidParam('name', `name has ${codePoints} characters; it must have ${min}-${max}`);
  }
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(name);
  if (control) {
    const hex = control[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw invalidParam('name', `name contains the control character U+00${hex.toUpperCase()}`);
  }
  return name;
}
