/**
 * How close can any server that does the small upload's required work get to receive?
 * `npx tsx bench/ladder.ts [rounds]` (about 50 s a round; not part of `npm run bench`).
 *
 * It climbs from receive to lingo-server one step at a time, on the small-uploads load (32
 * connections, the ~50 KB JPEG, closed loop): receive; durable-receive (the cheapest durable
 * write there is); then durable-receive plus, done the cheapest way, lingo-server's format walker,
 * SHA-256 of the body (the blob key), the row as a journal entry in the same record, and that row
 * in SQLite (see lib/baselines/durable-receive.ts); then lingo-server itself, which adds auth,
 * routing, the upload rules, the segment index and its answer's headers. Each server runs alone,
 * in turn, in every round (A B C … A B C …), and for each the table gives the median req/s, its
 * ratio to receive, and CPU per upload: the server's threads, its main thread, and the client.
 *
 * The top rung is the least a server honouring the contract does with these parts. If it stays
 * below the 0.5× target, no amount of work on the rest of lingo-server meets it on this machine;
 * lingo-server / top rung is what lingo-server's own structure costs
 * (docs/performance.md#small-uploads-floor).
 */
import { targets, uploadLoads } from './lib/config.js';
import { makeImages } from './lib/images.js';
import { runUploads } from './lib/load/cannon.js';
import { UploadBody } from './lib/multipart.js';
import { requiredSteps } from './lib/baselines/steps.js';
import { threadCpuSince, threadCpuTimes } from './lib/proc.js';
import { startDurableReceive, startLingo, startReceive, type ServerChild } from './lib/servers.js';
import { cpuUsPerRequest, median } from './lib/stats.js';

interface Rung {
  name: string;
  start: () => Promise<ServerChild & { tokens?: readonly string[] }>;
}

const stepLabel = (step: string): string => (step === 'sqlite' ? 'SQLite' : step);
/** durable-receive with the first n required steps, for n = 1 … all: the last is the floor. */
const stepRungs: Rung[] = requiredSteps.map((_, i) => {
  const steps = requiredSteps.slice(0, i + 1);
  return { name: steps.map((s) => `+ ${stepLabel(s)}`).join(' '), start: () => startDurableReceive(steps) };
});
const floorRung = stepRungs[stepRungs.length - 1]!;
const rungs: Rung[] = [
  { name: 'receive', start: startReceive },
  { name: 'durable-receive', start: () => startDurableReceive() },
  ...stepRungs,
  { name: 'lingo-server', start: () => startLingo(1) },
];

interface Sample {
  reqPerSec: number;
  serverUs: number;
  mainUs: number;
  clientUs: number;
}

async function measure(rung: Rung, body: UploadBody): Promise<Sample> {
  const server = await rung.start();
  try {
    const load = (durationS: number) =>
      runUploads({ server, upload: body, connections: uploadLoads.small.connections, durationS, token: server.tokens?.[0] ?? 'unused' });
    await load(2); // warm-up: JIT, page cache, every thread started
    const before = threadCpuTimes(server.pid);
    const run = await load(6);
    if (run.bad > 0) throw new Error(`${rung.name}: ${run.bad} failed requests`);
    const used = threadCpuSince(server.pid, before);
    const usPerUpload = (seconds: number): number => (seconds * 1e6) / run.ok;
    return {
      reqPerSec: run.reqPerSec,
      serverUs: usPerUpload([...used.values()].reduce((a, b) => a + b, 0)),
      mainUs: usPerUpload(used.get(server.pid) ?? 0),
      clientUs: cpuUsPerRequest(run.clientCpuPct, run.reqPerSec),
    };
  } finally {
    await server.stop();
  }
}

const rounds = Number(process.argv[2] ?? 3);
const images = await makeImages();
const body = new UploadBody(images[uploadLoads.small.image], uploadLoads.small.name);
const samples = new Map<string, Sample[]>(rungs.map((r) => [r.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const rung of rungs) {
    const s = await measure(rung, body);
    samples.get(rung.name)!.push(s);
    console.log(
      `round ${round} ${rung.name}: ${s.reqPerSec.toFixed(0)} req/s, CPU per upload: server ${s.serverUs.toFixed(0)} µs (main ${s.mainUs.toFixed(0)}), client ${s.clientUs.toFixed(0)}`,
    );
  }
}

const med = (name: string, pick: (s: Sample) => number): number => median(samples.get(name)!.map(pick));
const receive = med('receive', (s) => s.reqPerSec);
console.log(`\n| step | req/s, median of ${rounds} | × receive | server CPU µs/upload | main thread | client |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const { name } of rungs) {
  const rps = med(name, (s) => s.reqPerSec);
  const cells = [
    rps.toFixed(0),
    (rps / receive).toFixed(2),
    med(name, (s) => s.serverUs).toFixed(0),
    med(name, (s) => s.mainUs).toFixed(0),
    med(name, (s) => s.clientUs).toFixed(0),
  ];
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
const top = med(floorRung.name, (s) => s.reqPerSec);
console.log(
  `\nTarget ${targets.smallUploadsMinRatio}× receive = ${(targets.smallUploadsMinRatio * receive).toFixed(0)} req/s; the top step reached ${(top / receive).toFixed(2)}× ` +
    `(${top >= targets.smallUploadsMinRatio * receive ? 'within reach' : 'below it: no server doing this work reaches the target here'}); lingo-server ${(med('lingo-server', (s) => s.reqPerSec) / top).toFixed(2)}× of the top step.`,
);
