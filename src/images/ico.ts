/**
 * ICO walker: header, directory, then each entry's image, walked as a PNG (when it starts with
 * the PNG signature) or as a headerless DIB. The reported dimensions are the real ones of the
 * largest entry (by width × height); the directory's 1-byte sizes cap at 256 and may lie.
 *
 * Layout choice: entries are visited in offset order (a stream cannot seek back). Two entries
 * whose byte ranges overlap, an entry overlapping the directory, or an empty entry are rejected:
 * no encoder writes those, and overlap is how polyglot or decompression-trick icons share bytes.
 * Gaps between entries are skipped. An entry that reaches past the end of the file is found when
 * the input ends ("ico truncated in entry …"). Bytes after an embedded image but inside its entry
 * are tolerated (some writers round sizes up).
 */
import { fail, peek, read, skip, type Reply, type Request, type Walk, type WalkResult } from './byte-feeder.js';
import { walkIcoDib } from './bmp.js';
import { maxIcoEntries } from './limits.js';
import { PNG_SIGNATURE, walkPng } from './png.js';
import { ImageInvalidError } from './types.js';

interface Entry {
  /** 1-based position in the directory, for messages. */
  index: number;
  offset: number;
  size: number;
}

const noReply: Reply = { bytes: Buffer.alloc(0), crc: 0, marker: 0, consumed: 0 };

/**
 * Runs `inner` (a PNG or DIB walker) while refusing any request that would reach past `to`, the
 * end of the entry's bytes, and puts the entry's name in front of its messages.
 */
function* bounded(inner: Walk, from: number, to: number, label: string): Walk {
  let pos = from;
  let reply = noReply;
  for (;;) {
    let it: IteratorResult<Request, WalkResult>;
    try {
      it = inner.next(reply);
    } catch (err) {
      if (err instanceof ImageInvalidError) fail(`ico ${label}: ${err.message}`);
      throw err;
    }
    if (it.done) return it.value;
    const req = it.value;
    if (req.op !== 'read' && req.op !== 'skip') throw new Error(`walker bug: ${req.op} inside an ICO entry`);
    if (pos + req.n > to) fail(`ico ${label}: the embedded image runs past the end of the entry (offset ${to - from} of the entry)`);
    reply = yield { ...req, trunc: `ico truncated in ${label}: ${req.trunc}` };
    pos += req.n;
  }
}

/** Walks an ICO file that starts at absolute offset `start`. */
export function* walkIco(start = 0): Walk {
  let pos = start;
  const head = (yield read(6, `ico truncated in the header at offset ${pos}`)).bytes;
  const reserved = head.readUInt16LE(0);
  const type = head.readUInt16LE(2);
  const count = head.readUInt16LE(4);
  if (reserved !== 0) fail(`ico: reserved header field is ${reserved} (must be 0)`);
  if (type === 2) fail('ico: this is a CUR cursor file, which is not supported (only ICO icons, type 1)');
  if (type !== 1) fail(`ico: header has type ${type} (must be 1 for an icon)`);
  if (count === 0) fail('ico: directory has no entries');
  if (count > maxIcoEntries) fail(`ico: directory has ${count} entries (limit ${maxIcoEntries})`);
  pos += 6;

  const dirBytes = 16 * count;
  const dir = (yield read(dirBytes, `ico truncated in the directory at offset ${pos} (${count} entries)`)).bytes;
  pos += dirBytes;
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    // Each entry: width, height, colours, reserved (1 byte each), planes, bit count (2 each), size, offset.
    const size = dir.readUInt32LE(16 * i + 8);
    const offset = dir.readUInt32LE(16 * i + 12);
    if (size === 0) fail(`ico: entry ${i + 1} has size 0`);
    if (offset < 6 + dirBytes) fail(`ico: entry ${i + 1} at offset ${offset} overlaps the header or directory`);
    entries.push({ index: i + 1, offset, size });
  }
  entries.sort((a, b) => a.offset - b.offset);
  let prev: Entry | undefined;
  for (const cur of entries) {
    if (prev && cur.offset < prev.offset + prev.size) {
      fail(`ico: entry ${cur.index} at offset ${cur.offset} overlaps entry ${prev.index} (offset ${prev.offset}, ${prev.size} bytes)`);
    }
    prev = cur;
  }

  let best: WalkResult | undefined;
  for (const e of entries) {
    const label = `entry ${e.index} (${e.size} bytes at offset ${e.offset})`;
    const from = start + e.offset;
    const to = from + e.size;
    yield skip(from - pos, `ico truncated before ${label}`);
    const first = (yield peek(Math.min(8, e.size), `ico truncated in ${label}`)).bytes;
    if (first.length < Math.min(8, e.size)) fail(`ico truncated in ${label}`); // input ended
    const isPng = first.length === 8 && first.equals(PNG_SIGNATURE);
    const image = yield* bounded(isPng ? walkPng(from) : walkIcoDib(from, 'bmp'), from, to, label);
    yield skip(to - image.end, `ico truncated in ${label}`);
    pos = to;
    if (!best || image.width * image.height > best.width * best.height) best = image;
  }
  if (!best) fail('ico: directory has no entries');
  return { width: best.width, height: best.height, end: pos };
}
