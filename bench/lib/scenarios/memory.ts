import { paths, targets, uploadSuccess } from '../config.js';
import { limits } from '../images.js';
import { runCannon } from '../load/cannon.js';
import { UploadBody } from '../multipart.js';
import { startLingo, startReceive, type ServerChild } from '../servers.js';
import type { RunStats } from '../stats.js';
import { describe, idleRssMb, startAll, summarise, type Scenario } from './common.js';

const concurrency = 64;

/**
 * 64 uploads of exactly 10 MiB in flight at once: a server that buffers bodies needs ~700 MB,
 * one that streams them needs a few MB per request. Judged on the child's VmHWM, so each server
 * is a fresh process and runs only this. Another backend (`--backend pg-s3`) runs it on one
 * instance: the target is per process, and a cluster would halve each one's share of the load.
 */
export const memory: Scenario = async (ctx) => {
  const single = [...new Map(ctx.variants.map((v) => [v.backend, { ...v, instances: 1, name: v.name.replace(/ ×\d+$/, '') }])).values()];
  const [lingo, receive, ...others] = await startAll(startLingo(1), startReceive(), ...single.map((variant) => startLingo(1, [], { variant })));
  try {
    const idle = { lingo: idleRssMb(lingo), receive: idleRssMb(receive), others: others.map(idleRssMb) };
    // The ~9 MB PNG padded with random trailing bytes to the 10 MiB maximum.
    const body = new UploadBody(ctx.images.largePng, 'bench-10mib.png', limits.maxFileBytes);
    const headers = { Authorization: `Bearer ${lingo.tokens[0]}` };
    const load = async (server: ServerChild, token?: string): Promise<RunStats> => {
      const r = await runCannon({
        server,
        connections: concurrency,
        amount: concurrency * ctx.mode.memoryWaves,
        timeoutS: 120,
        path: paths.upload,
        headers: token ? { Authorization: `Bearer ${token}` } : headers,
        upload: body,
        expectInBody: uploadSuccess,
      });
      ctx.log(`  ${server.name.padEnd(12)} ${describe(r)}  VmHWM ${(server.peakRssBytes() / 1e6).toFixed(0)} MB`);
      return r;
    };
    // No warm-up: the first burst is exactly what this scenario is about.
    const lingoRun = await load(lingo);
    const receiveRun = await load(receive);
    const otherRuns: RunStats[] = [];
    for (const other of others) otherRuns.push(await load(other, other.tokens[0]));
    const l = summarise(lingo, [lingoRun], idle.lingo);
    const b = summarise(receive, [receiveRun], idle.receive);
    const o = others.map((server, i) => summarise(server, [otherRuns[i]!], idle.others[i]!));
    return {
      id: 'memory',
      title: `Memory: ${concurrency} concurrent 10 MiB uploads × ${ctx.mode.memoryWaves} wave(s)`,
      lingo: l,
      baseline: b,
      ...(o.length > 0 ? { backends: o } : {}),
      headline: {
        metric: 'server peak RSS, MB (VmHWM)',
        lingo: l.peakRssMb,
        baseline: b.peakRssMb,
        ratio: l.peakRssMb / b.peakRssMb,
        target: `≤ ${targets.memoryMaxPeakRssMb} MB`,
        pass: l.peakRssMb <= targets.memoryMaxPeakRssMb,
      },
      notes: [
        `Idle RSS after start: lingo-server ${l.idleRssMb.toFixed(0)} MB, receive ${b.idleRssMb.toFixed(0)} MB ` +
          '(both run as compiled JavaScript, as `npm start` runs lingo-server).',
        ...o.map(
          (x) =>
            `${x.name}: peak RSS ${x.peakRssMb.toFixed(0)} MB (idle ${x.idleRssMb.toFixed(0)} MB), ${(x.peakRssMb / l.peakRssMb).toFixed(2)}× the embedded server's; ` +
            `target ${x.peakRssMb <= targets.memoryMaxPeakRssMb ? 'met' : 'MISSED'} (bodies above 256 KiB are spooled to its data dir before the PUT).`,
        ),
      ],
    };
  } finally {
    await Promise.all([lingo.stop(), receive.stop(), ...others.map((x) => x.stop())]);
  }
};
