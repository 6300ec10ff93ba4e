/**
 * Baseline "durable receive": the receive baseline plus the cheapest durable write there is, so
 * that the physical limit of a durable upload is measured over HTTP, with the same client and on
 * the same cores as lingo-server, not only as the disk's figure without HTTP (bench/disk.ts).
 *
 * Each file part is collected in memory, then appended to one file opened with O_DSYNC. Appends
 * that arrive while a write is under way wait and go in the next group's single positional
 * writev (two groups at most in flight), and a response is sent only when its bytes are on the
 * disk. No validation, no hashing, no index, no row, no auth: any server that acknowledges only
 * durable uploads does at least this, so lingo-server / this is our own overhead, and this /
 * receive is what durability costs on this machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { announce, flag } from './args.js';
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
/** As lingo-server's segments; 1, 4 and 8 measured no better here (within the machine's noise). */
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

const server = uploadServer(reply, true, (chunks, done) => {
  queued.push({ chunks, done });
  pump();
});

server.listen(Number(flag('port', '0')), '127.0.0.1', () => announce(server));
