/**
 * Baseline "durable receive": the receive baseline plus the cheapest durable write there is, so
 * that the physical limit of a durable upload is measured over HTTP, with the same client and on
 * the same cores as lingo-server, not only as the disk's figure without HTTP (bench/lib/disk.ts).
 *
 * Each file part is collected in memory, then appended to one file opened with O_DSYNC. Appends
 * that arrive while a write is under way wait and go in the next group's single positional
 * writev (two groups at most in flight), and a response is sent only when its bytes are on the
 * disk. No validation, no hashing, no index, no row, no auth: any server that acknowledges only
 * durable uploads does at least this, so lingo-server / this is our own overhead, and this /
 * receive is what durability costs on this machine.
 *
 * `--steps walk,hash,row,sqlite` adds, each on its own, the work lingo-server cannot leave out,
 * done the cheapest way: its format walker over the held chunks, SHA-256 of them (the blob key),
 * its row as a journal entry (JSON + CRC-32) in the same record, and that row, once the record is
 * durable, into lingo-server's own MetaStore (buildApp's; SQLite on the embedded defaults),
 * lazily, off the answer's path, as lingo-server does. No segment index, no auth, no routing.
 * bench/ladder.ts climbs these steps to measure what each costs and how close any server doing
 * all of it can get to receive.
 */
import { createHash, randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { buildApp } from '../../../src/app.js';
import { buildConfig } from '../../../src/config/config.js';
import { createImageInspector } from '../../../src/images/inspector.js';
import type { FileRow } from '../../../src/meta/meta-store.js';
import { announce, flag } from './args.js';
import { requiredSteps, type RequiredStep } from './steps.js';
import { uploadServer } from './upload-server.js';

const reply = Buffer.from(JSON.stringify({ code: 0, msg: 'success', data: { file_token: 'boxbcBaselineDurable0000000' } }));
const dir = fs.mkdtempSync(path.join(flag('dir', os.tmpdir()), 'lingo-bench-durable-'));
const fd = fs.openSync(path.join(dir, 'appends'), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DSYNC);
process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

interface Append {
  chunks: Buffer[];
  done: (err: Error | null) => void;
}
const queued: Append[] = [];
let inFlight = 0;
/** As lingo-server's segments (docs/performance.md#group-commit). */
const maxInFlight = 2;
let end = 0;

function pump(): void {
  while (inFlight < maxInFlight && queued.length > 0) {
    const group = queued.splice(0);
    const chunks = group.flatMap((a) => a.chunks);
    const at = end;
    end += chunks.reduce((n, c) => n + c.length, 0);
    inFlight++;
    fs.writev(fd, chunks, at, (err) => {
      inFlight--;
      for (const a of group) a.done(err);
      pump();
    });
  }
}

const steps = new Set(flag('steps', '').split(',').filter(Boolean));
for (const step of steps) if (!requiredSteps.includes(step as RequiredStep)) throw new Error(`unknown step ${step}`);
const meta = steps.has('sqlite') ? buildApp(buildConfig({ dataDir: dir, logLevel: 'silent' })).meta : undefined;

const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomPool = Buffer.alloc(4096);
let randomAt = randomPool.length;

/**
 * A file token made as lingo-server makes one: 22 base62 characters, rejection-sampled from a
 * pool of random bytes refilled 4 KiB at a time (a getrandom per upload would cost this baseline
 * work that lingo-server does not do).
 */
function fileToken(): string {
  let token = 'boxbc';
  while (token.length < 27) {
    if (randomAt === randomPool.length) {
      randomFillSync(randomPool);
      randomAt = 0;
    }
    const byte = randomPool[randomAt++]!;
    if (byte < 248) token += base62[byte % 62];
  }
  return token;
}

/** The row as lingo-server's journal entry encodes it: versioned JSON. */
function journalEntry(row: FileRow): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, row }), 'utf8');
}

/**
 * The steps' work on one file: the buffers of its record, and its row. An invalid image (never
 * sent by the bench) throws, failing the request.
 */
function requiredWork(chunks: Buffer[]): { record: Buffer[]; row?: FileRow } {
  let image = { format: 'jpeg', mime: 'image/jpeg', width: 0, height: 0 };
  if (steps.has('walk')) {
    const inspector = createImageInspector();
    for (const chunk of chunks) inspector.push(chunk);
    image = inspector.end();
  }
  let sha256 = '';
  if (steps.has('hash')) {
    const hash = createHash('sha256');
    for (const chunk of chunks) hash.update(chunk);
    sha256 = hash.digest('hex');
  }
  if (!steps.has('row') && !steps.has('sqlite')) return { record: chunks };
  // The fields of lingo-server's file row, with values of the same lengths.
  const { format, mime, width, height } = image;
  const sizeBytes = chunks.reduce((n, c) => n + c.length, 0);
  const row: FileRow = {
    fileToken: fileToken(),
    tenantKey: 'bench-tenant-0000000000',
    appId: 'cli_0000000000000000',
    name: 'bench.jpg',
    blobKey: sha256,
    sizeBytes,
    sha256,
    format,
    mime,
    width,
    height,
    createdAtMs: Date.now(),
  };
  if (!steps.has('row')) return { record: chunks, row };
  const entry = journalEntry(row);
  const header = Buffer.allocUnsafe(8);
  header.writeUInt32LE(entry.length, 0);
  header.writeUInt32LE(crc32(entry), 4);
  return { record: [...chunks, header, entry], row };
}

const server = uploadServer(reply, true, (chunks, done) => {
  // Without steps, durable-receive exactly: nothing between the body and its write.
  if (steps.size === 0) {
    queued.push({ chunks, done });
    return pump();
  }
  let work: ReturnType<typeof requiredWork>;
  try {
    work = requiredWork(chunks);
  } catch (err) {
    return done(err as Error);
  }
  queued.push({
    chunks: work.record,
    done: (err) => {
      // As lingo-server: the row goes to the database once its record is durable, and the answer
      // does not wait for it (a failed insert would be a bug here: the bench counts on none).
      if (!err && work.row) void meta?.insertFile(work.row, { lazy: true });
      done(err);
    },
  });
  pump();
});

server.listen(Number(flag('port', '0')), '127.0.0.1', () => announce(server));
