import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * A record: a header, then the blob's bytes, then its journal section if it has one (the blob's
 * file row, see src/files/file-journal.ts). The key is the SHA-256 of the bytes, so a record
 * proves itself: recovery recomputes the hash (and the entry's CRC-32), and a torn or
 * never-finished record fails it.
 *
 * Header: magic (8 bytes), the bytes' length (u32 LE), the journal section's length (u32 LE; 0
 * when the record has none), the SHA-256 (32 bytes). The journal section is the entry, then its
 * CRC-32 (u32 LE).
 */
const magic = Buffer.from('LGSEG001', 'latin1');
export const recordHeaderBytes = 48;
const lengthOffset = 8;
const journalLengthOffset = 12;
const keyOffset = 16;
const crcBytes = 4;

export interface RecordHeader {
  key: string;
  /** Of the blob's bytes. */
  length: number;
  /** Of the journal section (entry and CRC); 0: none. */
  journalBytes: number;
}

export interface EncodedRecord extends RecordHeader {
  /** Header, the chunks as given (not copied) and the journal section: one writev's worth. */
  buffers: Buffer[];
  recordBytes: number;
}

export function encodeRecord(key: string, chunks: readonly Buffer[], journal?: Buffer): EncodedRecord {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  const header = Buffer.alloc(recordHeaderBytes);
  magic.copy(header, 0);
  header.writeUInt32LE(length, lengthOffset);
  header.write(key, keyOffset, 'hex');
  const buffers = [header, ...chunks];
  let journalBytes = 0;
  if (journal) {
    const crc = Buffer.allocUnsafe(crcBytes);
    crc.writeUInt32LE(crc32(journal));
    buffers.push(journal, crc);
    journalBytes = journal.length + crcBytes;
    header.writeUInt32LE(journalBytes, journalLengthOffset);
  }
  return { key, length, journalBytes, buffers, recordBytes: recordHeaderBytes + length + journalBytes };
}

/** The header at the start of `header`, or undefined when these bytes cannot be one. */
export function decodeHeader(header: Buffer): RecordHeader | undefined {
  if (header.length < recordHeaderBytes || !header.subarray(0, magic.length).equals(magic)) return undefined;
  const journalBytes = header.readUInt32LE(journalLengthOffset);
  if (journalBytes > 0 && journalBytes < crcBytes) return undefined;
  return { key: header.toString('hex', keyOffset, keyOffset + 32), length: header.readUInt32LE(lengthOffset), journalBytes };
}

/**
 * Checks a record's body (its bytes, then its journal section) against its header. Returns the
 * journal entry (undefined when the record has none), or `false` when the bytes do not hash to
 * the key or the entry fails its CRC.
 */
export function verifyBody(header: RecordHeader, body: Buffer): { entry: Buffer | undefined } | false {
  if (body.length !== header.length + header.journalBytes) return false;
  if (createHash('sha256').update(body.subarray(0, header.length)).digest('hex') !== header.key) return false;
  if (header.journalBytes === 0) return { entry: undefined };
  const crcAt = header.length + header.journalBytes - crcBytes;
  // A copy: a view would keep the whole record's bytes alive as long as the entry.
  const entry = Buffer.from(body.subarray(header.length, crcAt));
  return crc32(entry) === body.readUInt32LE(crcAt) ? { entry } : false;
}
