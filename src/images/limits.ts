/**
 * Hard caps that keep the walkers cheap on hostile input. Each one bounds a loop or a buffer so
 * that a crafted upload costs O(its size) at worst. Real images stay far below every limit; a file
 * that crosses one is rejected as invalid (with the limit named in the message) rather than walked.
 */

/**
 * Largest single read or peek a walker may ask the feeder for, and therefore the most bytes the
 * feeder ever holds back between pushes (besides the caller's current chunk). Walkers only read
 * headers this way; pixel data is skipped or scanned, never held.
 */
export const maxReadBytes = 64 * 1024;

/** Bytes the sniffer looks at to recognise a format (RIFF....WEBP is the longest magic). */
export const maxSniffBytes = 12;

/**
 * PNG chunks per file. Encoders split IDAT into 8–64 KiB chunks, so a 10 MiB PNG has well under
 * 2 000; 65 536 leaves room for odd encoders while capping a flood of 12-byte empty chunks.
 */
export const maxPngChunks = 65_536;

/** JPEG markers per file (APPn, DQT, DHT, SOS, RSTn outside scans, …). Real files have < 100. */
export const maxJpegSegments = 8_192;

/** Scans (SOS) per JPEG. Progressive files use about 10; hierarchical ones a few dozen. */
export const maxJpegScans = 1_024;

/** Consecutive 0xFF fill bytes allowed before one marker outside entropy-coded data. */
export const maxJpegFillBytes = 65_536;

/** Image descriptors (frames) per GIF. Long animations reach the low thousands. */
export const maxGifFrames = 4_096;

/** Top-level GIF blocks (frames + extensions): a frame usually comes with one extension. */
export const maxGifBlocks = 3 * maxGifFrames;

/** RIFF chunks per WebP (animated files have one ANMF chunk per frame). */
export const maxWebpChunks = 65_536;

/** Directory entries per ICO: 256 entries is a 4 KiB directory (the u16 field allows 65 535). */
export const maxIcoEntries = 256;

/**
 * Upper bound on where a BMP pixel array may end. A BMP's file size and offset fields are 32-bit,
 * so a pixel array ending past 4 GiB cannot be part of a well-formed file: rejecting it up front
 * avoids waiting for a truncation that is certain (and keeps the arithmetic exact).
 */
export const maxBmpEndBytes = 2 ** 32;
