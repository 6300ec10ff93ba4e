import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeRecord, recordHeaderBytes, verifyBody } from '../../../../src/storage/segments/record.js';
import { sha } from './fixtures.js';

const bodyOf = (buffers: Buffer[]): Buffer => Buffer.concat(buffers).subarray(recordHeaderBytes);

describe('segment record format', () => {
  it('round-trips a blob in chunks with its journal entry', () => {
    const chunks = [randomBytes(100), randomBytes(23)];
    const entry = Buffer.from('{"row":"r"}');
    const record = encodeRecord(sha(Buffer.concat(chunks)), chunks, entry);
    expect(record.buffers[1]).toBe(chunks[0]); // chunks are not copied
    expect(record.recordBytes).toBe(Buffer.concat(record.buffers).length);
    expect(record.journalBytes).toBe(entry.length + 4);
    const header = decodeHeader(record.buffers[0]!);
    expect(header).toEqual({ key: sha(Buffer.concat(chunks)), length: 123, journalBytes: entry.length + 4 });
    const verified = verifyBody(header!, bodyOf(record.buffers));
    expect(verified && verified.entry?.toString()).toBe(entry.toString());
  });

  it('a record without an entry has a journal length of 0', () => {
    const bytes = randomBytes(50);
    const record = encodeRecord(sha(bytes), [bytes]);
    expect(record.recordBytes).toBe(recordHeaderBytes + 50);
    const header = decodeHeader(record.buffers[0]!)!;
    expect(header.journalBytes).toBe(0);
    expect(verifyBody(header, bodyOf(record.buffers))).toEqual({ entry: undefined });
  });

  it('refuses what is not a header: wrong magic, too short, a journal section shorter than its CRC', () => {
    const bytes = randomBytes(50);
    const header = encodeRecord(sha(bytes), [bytes]).buffers[0]!;
    expect(decodeHeader(header.subarray(0, recordHeaderBytes - 1))).toBeUndefined();
    const wrongMagic = Buffer.from(header);
    wrongMagic[0] = 0;
    expect(decodeHeader(wrongMagic)).toBeUndefined();
    expect(decodeHeader(Buffer.alloc(recordHeaderBytes))).toBeUndefined();
    const shortJournal = Buffer.from(header);
    shortJournal.writeUInt32LE(3, 12);
    expect(decodeHeader(shortJournal)).toBeUndefined();
  });

  it('a body that is torn, does not hash to its key, or whose entry fails its CRC does not verify', () => {
    const bytes = randomBytes(200);
    const record = encodeRecord(sha(bytes), [bytes], Buffer.from('entry'));
    const header = decodeHeader(record.buffers[0]!)!;
    const body = bodyOf(record.buffers);
    expect(verifyBody(header, body)).not.toBe(false);
    expect(verifyBody(header, body.subarray(0, body.length - 1))).toBe(false);
    const flippedByte = Buffer.from(body);
    flippedByte[10]! ^= 1;
    expect(verifyBody(header, flippedByte)).toBe(false);
    const flippedEntry = Buffer.from(body);
    flippedEntry[bytes.length + 1]! ^= 1;
    expect(verifyBody(header, flippedEntry)).toBe(false);
  });
});
