/**
 * JPEG walker: SOI, then marker segments to EOI. Dimensions come from the first frame header
 * (SOFn); entropy-coded data after each SOS is scanned by the feeder for the next real marker.
 */
import { fail, read, skip, type Walk } from './byte-feeder.js';
import { maxJpegFillBytes, maxJpegScans, maxJpegSegments } from './limits.js';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const TEM = 0x01;

/** C0–CF are frame headers except C4 (DHT), C8 (JPG, reserved) and CC (DAC). */
function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

function isRst(m: number): boolean {
  return m >= 0xd0 && m <= 0xd7;
}

const markerNames: Readonly<Record<number, string>> = { 0xc4: 'DHT', 0xcc: 'DAC', 0xda: 'SOS', 0xdb: 'DQT', 0xdd: 'DRI', 0xfe: 'COM' };

function markerName(m: number): string {
  if (isSof(m)) return `SOF${m - 0xc0}`;
  if (m >= 0xe0 && m <= 0xef) return `APP${m - 0xe0}`;
  return markerNames[m] ?? `marker FF${m.toString(16).toUpperCase().padStart(2, '0')}`;
}

const hex = (b: number): string => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/** Walks a JPEG that starts at absolute offset `start`. */
export function* walkJpeg(start = 0): Walk {
  let pos = start;
  const soi = (yield read(2, `jpeg truncated in the SOI marker at offset ${pos}`)).bytes;
  if (soi.readUInt8(0) !== 0xff || soi.readUInt8(1) !== SOI) fail(`jpeg: missing SOI marker at offset ${pos}`);
  pos += 2;

  let frame: { width: number; height: number } | undefined;
  let scans = 0;
  let pending = -1; // a marker already consumed by the entropy scan
  for (let segments = 1; ; segments++) {
    if (segments > maxJpegSegments) fail(`jpeg: more than ${maxJpegSegments} marker segments (limit)`);
    let marker: number;
    let at: number;
    if (pending >= 0) {
      marker = pending;
      at = pos - 2;
      pending = -1;
    } else {
      at = pos;
      const first = (yield read(1, `jpeg truncated: expected a marker at offset ${at}`)).bytes.readUInt8(0);
      pos += 1;
      if (first !== 0xff) fail(`jpeg: expected a marker at offset ${at}, found byte ${hex(first)}`);
      // Any number of FF fill bytes may precede the marker code.
      for (let fill = 0; ; fill++) {
        if (fill > maxJpegFillBytes) fail(`jpeg: more than ${maxJpegFillBytes} fill bytes at offset ${at} (limit)`);
        marker = (yield read(1, `jpeg truncated in the marker at offset ${at}`)).bytes.readUInt8(0);
        pos += 1;
        if (marker !== 0xff) break;
      }
    }

    if (marker === EOI) {
      if (scans === 0) fail(`jpeg: EOI at offset ${at} before any scan (no image data)`);
      return { width: frame?.width ?? 0, height: frame?.height ?? 0, end: pos };
    }
    if (marker === SOI) fail(`jpeg: unexpected second SOI marker at offset ${at}`);
    if (marker === 0x00) fail(`jpeg: invalid marker FF00 at offset ${at} outside entropy-coded data`);
    if (isRst(marker) || marker === TEM) continue; // standalone markers carry no length

    if (marker === SOS && !frame) fail(`jpeg: scan (SOS) at offset ${at} comes before any frame header (SOF)`);
    const name = markerName(marker);
    const length = (yield read(2, `jpeg truncated in the length of ${name} at offset ${at}`)).bytes.readUInt16BE(0);
    pos += 2;
    if (length < 2) fail(`jpeg: ${name} segment at offset ${at} has length ${length} (must be at least 2)`);
    let rest = length - 2;

    if (isSof(marker)) {
      if (length < 8) fail(`jpeg: ${name} frame header at offset ${at} has length ${length} (must be at least 8)`);
      const f = (yield read(6, `jpeg truncated in the ${name} frame header at offset ${at}`)).bytes;
      pos += 6;
      rest -= 6;
      const height = f.readUInt16BE(1);
      const width = f.readUInt16BE(3);
      const components = f.readUInt8(5);
      if (!frame) {
        // Height 0 means "given later by a DNL marker", which this walker does not follow.
        if (height === 0) fail(`jpeg: ${name} frame header at offset ${at} has height 0 (DNL-defined height is not supported)`);
        if (width === 0) fail(`jpeg: ${name} frame header at offset ${at} has width 0`);
        if (components === 0 || length !== 8 + 3 * components) {
          fail(`jpeg: ${name} frame header at offset ${at} has length ${length} for ${components} components`);
        }
        frame = { width, height };
      }
    } else if (marker === SOS) {
      if (++scans > maxJpegScans) fail(`jpeg: more than ${maxJpegScans} scans (limit)`);
      if (length < 3) fail(`jpeg: SOS at offset ${at} has length ${length}`);
      const components = (yield read(1, `jpeg truncated in the SOS header at offset ${at}`)).bytes.readUInt8(0);
      pos += 1;
      rest -= 1;
      if (components < 1 || components > 4 || length !== 6 + 2 * components) {
        fail(`jpeg: SOS at offset ${at} has length ${length} for ${components} components`);
      }
    }

    yield skip(rest, `jpeg truncated in the ${name} segment at offset ${at}`);
    pos += rest;

    if (marker === SOS) {
      const scan = yield {
        op: 'scanJpegEntropy',
        trunc: `jpeg truncated in the entropy-coded data of scan ${scans} (starting at offset ${pos})`,
      };
      pos += scan.consumed;
      pending = scan.marker;
    }
  }
}
