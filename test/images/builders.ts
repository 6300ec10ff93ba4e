/**
 * Field-by-field builders of small synthetic images, for tests that need a structure the fixture
 * generator would never produce (bad lengths, odd layouts, bombs). The walkers do not decode pixel
 * data, so payloads here are filler.
 */
import { PNG_SIGNATURE } from '../../src/images/png.js';
import { pngChunk } from '../fixtures/images.js';
import { u16le, u32be, u32le } from './helpers.js';

// PNG
export function ihdr(width: number, height: number, depth = 8, colourType = 2, extra: number[] = [0, 0, 0]): Buffer {
  return pngChunk('IHDR', Buffer.concat([u32be(width), u32be(height), Buffer.from([depth, colourType, ...extra])]));
}
export const idat = pngChunk('IDAT', Buffer.from('not decoded by the walker'));
export const iend = pngChunk('IEND', Buffer.alloc(0));
export const png = (...chunks: Buffer[]): Buffer => Buffer.concat([PNG_SIGNATURE, ...chunks]);

// JPEG
export const SOI = Buffer.from([0xff, 0xd8]);
export const EOI = Buffer.from([0xff, 0xd9]);

export function segment(marker: number, payload: number[] | Buffer): Buffer {
  const p = Buffer.from(payload);
  return Buffer.concat([Buffer.from([0xff, marker, (p.length + 2) >> 8, (p.length + 2) & 0xff]), p]);
}
export const sof = (width: number, height: number, marker = 0xc0): Buffer =>
  segment(marker, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
export const sos = segment(0xda, [1, 1, 0, 0, 63, 0]);
/** Entropy-coded bytes with a stuffed FF00, restart markers and fill bytes before a restart. */
export const entropy = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0xd7, 0x78, 0x00]);
export const jpeg = (...parts: Buffer[]): Buffer => Buffer.concat([SOI, ...parts, EOI]);

// GIF
/** Header + logical screen; `tableBits` N adds a global colour table of 3·2^(N+1) bytes. */
export function gifHeader(width: number, height: number, tableBits = -1, version = 'GIF89a'): Buffer {
  const packed = tableBits >= 0 ? 0x80 | tableBits : 0;
  const table = tableBits >= 0 ? Buffer.alloc(3 * 2 ** (tableBits + 1)) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(version), u16le(width), u16le(height), Buffer.from([packed, 0, 0]), table]);
}
export function gifFrame(width = 1, height = 1, tableBits = -1, lzw = 2): Buffer {
  const packed = tableBits >= 0 ? 0x80 | tableBits : 0;
  const table = tableBits >= 0 ? Buffer.alloc(3 * 2 ** (tableBits + 1), 0x2c) : Buffer.alloc(0);
  const data = Buffer.from([3, 0x44, 0x01, 0x00, 255, ...Buffer.alloc(255, 0x3b), 0]);
  return Buffer.concat([Buffer.from([0x2c]), u16le(0), u16le(0), u16le(width), u16le(height), Buffer.from([packed]), table, Buffer.from([lzw]), data]);
}
export const gce = Buffer.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]);
export const comment = Buffer.from([0x21, 0xfe, 5, ...Buffer.from('hello'), 0]);
export const gif = (head: Buffer, ...blocks: Buffer[]): Buffer => Buffer.concat([head, ...blocks, Buffer.from([0x3b])]);

// BMP
export interface BmpSpec {
  headerSize?: number;
  width: number;
  height: number;
  bits?: number;
  compression?: number;
  colorsUsed?: number;
  planes?: number;
  /** Pixel data offset override. */
  offset?: number;
  /** Bytes of pixel data actually written (default: exactly what the header implies). */
  pixelBytes?: number;
}

/** A BMP built field by field, with any DIB header size, bit count, compression and palette. */
export function bmp(s: BmpSpec): Buffer {
  const size = s.headerSize ?? 40;
  const bits = s.bits ?? 24;
  const compression = s.compression ?? 0;
  const core = size === 12;
  const dib = Buffer.alloc(size);
  dib.writeUInt32LE(size, 0);
  if (core) {
    dib.writeUInt16LE(s.width, 4);
    dib.writeUInt16LE(s.height, 6);
    dib.writeUInt16LE(s.planes ?? 1, 8);
    dib.writeUInt16LE(bits, 10);
  } else {
    dib.writeInt32LE(s.width, 4);
    dib.writeInt32LE(s.height, 8);
    dib.writeUInt16LE(s.planes ?? 1, 12);
    dib.writeUInt16LE(bits, 14);
    dib.writeUInt32LE(compression, 16);
    dib.writeUInt32LE(s.colorsUsed ?? 0, 32);
  }
  const masks = Buffer.alloc(size === 40 ? (compression === 3 ? 12 : compression === 6 ? 16 : 0) : 0);
  const entries = bits <= 8 ? s.colorsUsed || 2 ** bits : 0;
  const palette = Buffer.alloc(entries * (core ? 3 : 4), 0x55);
  const offset = s.offset ?? 14 + size + masks.length + palette.length;
  const pixels = s.pixelBytes ?? Math.ceil((s.width * bits) / 32) * 4 * Math.abs(s.height);
  const head = Buffer.alloc(14);
  head.write('BM', 0, 'latin1');
  head.writeUInt32LE(offset + pixels, 2);
  head.writeUInt32LE(offset, 10);
  const gap = Buffer.alloc(Math.max(0, offset - 14 - size - masks.length - palette.length));
  return Buffer.concat([head, dib, masks, palette, gap, Buffer.alloc(pixels, 0xa5)]);
}

// WebP
/** A RIFF chunk with its pad byte. */
export function riffChunk(fourcc: string, payload: number[] | Buffer): Buffer {
  const p = Buffer.from(payload);
  return Buffer.concat([Buffer.from(fourcc, 'latin1'), u32le(p.length), p, Buffer.alloc(p.length & 1)]);
}
export function riff(chunks: Buffer[], riffSize?: number): Buffer {
  const body = Buffer.concat(chunks);
  return Buffer.concat([Buffer.from('RIFF'), u32le(riffSize ?? 4 + body.length), Buffer.from('WEBP'), body]);
}
export const vp8 = (w: number, h: number): Buffer =>
  riffChunk('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, w & 0xff, w >> 8, h & 0xff, h >> 8, 1, 2, 3, 4]);
export function vp8l(w: number, h: number, version = 0): Buffer {
  const bits = ((w - 1) | ((h - 1) << 14) | (version << 29)) >>> 0;
  return riffChunk('VP8L', Buffer.concat([Buffer.from([0x2f]), u32le(bits), Buffer.from([9, 9, 9])]));
}
export function vp8x(w: number, h: number, flags = 0): Buffer {
  const p = Buffer.alloc(10);
  p[0] = flags;
  p.writeUIntLE(w - 1, 4, 3);
  p.writeUIntLE(h - 1, 7, 3);
  return riffChunk('VP8X', p);
}

// ICO
export interface RawEntry {
  bytes: Buffer;
  /** Directory values; default: the truth. */
  offset?: number;
  size?: number;
}

/** An ICO whose directory can lie and whose entries can be laid out in any order. */
export function icoRaw(entries: RawEntry[], type = 1): Buffer {
  const dirEnd = 6 + 16 * entries.length;
  const head = Buffer.concat([u16le(0), u16le(type), u16le(entries.length)]);
  let next = dirEnd;
  const dir: Buffer[] = [];
  for (const e of entries) {
    dir.push(Buffer.concat([Buffer.from([16, 16, 0, 0]), u16le(1), u16le(32), u32le(e.size ?? e.bytes.length), u32le(e.offset ?? next)]));
    next += e.bytes.length;
  }
  return Buffer.concat([head, ...dir, ...entries.map((e) => e.bytes)]);
}
