/**
 * Where lingo-server's CPU goes per small upload, thread by thread: `npx tsx bench/threads.ts
 * [rounds]` (about 8 s a round). It runs the small-uploads load (32 connections, the ~50 KB JPEG)
 * against lingo-server on its embedded defaults and reads each thread's CPU time from
 * /proc/<pid>/task/<tid>/stat before and after, divided by the uploads acknowledged meanwhile.
 *
 * On a 2-core machine the main thread is not the only bottleneck: the SQLite writer and
 * checkpointer threads and V8's GC threads share the second core with the load generator
 * (docs/performance.md#group-commit, #v8-flags). Node 20 cannot name worker threads, so apart
 * from `main` they are listed by thread id, busiest first.
 */
import { uploadLoads } from './lib/config.js';
import { makeImages } from './lib/images.js';
import { runUploads } from './lib/load/cannon.js';
import { UploadBody } from './lib/multipart.js';
import { threadCpuSince, threadCpuTimes } from './lib/proc.js';
import { startLingo } from './lib/servers.js';
import { cpuUsPerRequest } from './lib/stats.js';

const rounds = Number(process.argv[2] ?? 2);
const images = await makeImages();
const small = uploadLoads.small;
const lingo = await startLingo(1);
try {
  const body = new UploadBody(images[small.image], small.name);
  const load = (durationS: number) => runUploads({ server: lingo, upload: body, connections: small.connections, durationS, token: lingo.tokens[0]! });
  await load(2); // warm-up: JIT, and every thread started
  for (let round = 1; round <= rounds; round++) {
    const before = threadCpuTimes(lingo.pid);
    const run = await load(6);
    const usPerUpload = (seconds: number): number => (seconds * 1e6) / Math.max(1, run.ok);
    const rows = [...threadCpuSince(lingo.pid, before)]
      .map(([tid, seconds]) => ({ tid, us: usPerUpload(seconds) }))
      .filter((t) => t.us >= 5)
      .sort((a, b) => b.us - a.us);
    const total = rows.reduce((n, t) => n + t.us, 0);
    const list = rows.map((t) => `${t.tid === lingo.pid ? 'main' : t.tid} ${t.us.toFixed(0)}`).join(', ');
    console.log(
      `round ${round}: ${run.reqPerSec.toFixed(0)} uploads/s, ${total.toFixed(0)} µs CPU per upload in all; by thread (µs): ${list}; ` +
        `autocannon client ${cpuUsPerRequest(run.clientCpuPct, run.reqPerSec).toFixed(0)} µs per upload`,
    );
  }
} finally {
  await lingo.stop();
}
