import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withinRange } from '../../../../src/storage/s3/ranged-body.js';
import { Spool } from '../../../../src/storage/s3/spool.js';
import { makeTempDir, removeDir } from '../../../helpers/temp-dir.js';

const MiB = 1024 * 1024;

const collect = async (stream: Readable | Buffer): Promise<Buffer> => {
  if (Buffer.isBuffer(stream)) return stream;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** A full collection on demand, to measure what is still referenced rather than what awaits collection. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('spool: an upload body held until it is PUT', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('spool');
  });
  afterEach(() => removeDir(dir));

  it('keeps small bodies in memory and larger ones in a temp file, with their SHA-256 and MD5', async () => {
    for (const size of [0, 1000, 64 * 1024, 64 * 1024 + 1, 3 * MiB + 7]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i += 997) bytes[i] = i % 251;
      const body = await new Spool(dir, 64 * 1024).take(Readable.from(size ? [bytes.subarray(0, size >> 1), bytes.subarray(size >> 1)] : []));
      expect(body.sizeBytes).toBe(size);
      expect(body.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(body.md5).toBe(createHash('md5').update(bytes).digest('base64'));
      expect(fs.readdirSync(dir)).toHaveLength(size > 64 * 1024 ? 1 : 0);
      // Each PUT attempt reads the whole body again.
      expect((await collect(await body.open())).equals(bytes)).toBe(true);
      expect((await collect(await body.open())).equals(bytes)).toBe(true);
      await body.drop();
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('a source that fails mid-file leaves no temp file', async () => {
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 2 * MiB) return void this.destroy(new Error('client went away'));
        this.push(Buffer.alloc(64 * 1024, 1));
        sent += 64 * 1024;
      },
    });
    await expect(new Spool(dir, 64 * 1024).take(failing)).rejects.toThrow('client went away');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('64 concurrent 10 MiB uploads hold a small fraction of their 640 MiB in memory', async () => {
    const gc = exposeGc();
    const uploads = 64;
    const size = 10 * MiB;
    const chunk = 64 * 1024;
    let arrived = 0;
    let measured = 0;
    let release!: () => void;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    // Each body is sent in fresh 64 KiB chunks; its last chunk waits until every upload has sent
    // all of its bytes, and then what is still held is measured.
    async function* body(n: number): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < size; sent += chunk) yield Buffer.alloc(chunk, (n + sent / chunk) % 256);
      if (++arrived === uploads) {
        gc();
        measured = process.memoryUsage().arrayBuffers - before;
        release();
      }
      await allArrived;
    }
    const spool = new Spool(dir, 256 * 1024);
    const bodies = await Promise.all(Array.from({ length: uploads }, (_, n) => spool.take(body(n))));
    try {
      expect(bodies.every((b) => b.sizeBytes === size)).toBe(true);
      // Held in memory they would be 640 MiB; spooled, each holds at most one write batch.
      expect(measured).toBeLessThan(64 * MiB);
    } finally {
      await Promise.all(bodies.map((b) => b.drop()));
    }
  });

  it('sweep removes only spool files older than the given age, never one a body still uses', async () => {
    const spool = new Spool(dir, 0);
    const inUse = await spool.take(Readable.from([Buffer.from('still to be PUT')]));
    const old = path.join(dir, 'a'.repeat(32) + '.spool');
    const fresh = path.join(dir, 'b'.repeat(32) + '.spool');
    const other = path.join(dir, 'notes.txt');
    for (const f of [old, fresh, other]) fs.writeFileSync(f, 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const f of [old, other, ...fs.readdirSync(dir).map((n) => path.join(dir, n))]) fs.utimesSync(f, hourAgo, hourAgo);
    fs.utimesSync(fresh, new Date(), new Date());
    expect(await spool.sweep(60_000)).toBe(1);
    expect(await collect(await inUse.open())).toEqual(Buffer.from('still to be PUT'));
    await inUse.drop();
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(fresh), 'notes.txt'].sort());
    expect(await new Spool(path.join(dir, 'absent'), 0).sweep(0)).toBe(0);
  });
});

describe('withinRange: a server that ignored Range', () => {
  it('cuts the inclusive range out of the whole body, across chunk borders, and destroys the body early', async () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    const whole = () => Readable.from([bytes.subarray(0, 7), bytes.subarray(7, 13), bytes.subarray(13)]);
    expect((await collect(withinRange(whole(), { start: 5, end: 14 }))).toString()).toBe('56789abcde');
    expect((await collect(withinRange(whole(), { start: 0, end: 0 }))).toString()).toBe('0');
    expect((await collect(withinRange(whole(), { start: 19, end: 19 }))).toString()).toBe('j');
    const body = whole();
    expect((await collect(withinRange(body, { start: 1, end: 2 }))).toString()).toBe('12');
    expect(body.destroyed).toBe(true);
  });
});
