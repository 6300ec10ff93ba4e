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
 * is a fresh process and runs only this.
 */
export const memory: Scenario = async (ctx) => {
  const [lingo, receive] = await startAll(startLingo(1), startReceive());
  try {
    const idle = { lingo: idleRssMb(lingo), receive: idleRssMb(receive) };
    // The ~9 MB PNG padded with random trailing bytes to the 10 MiB maximum.
    const body = new UploadBody(ctx.images.largePng, 'bench-10mib.png', limits.maxFileBytes);
    const headers = { Authorization: `Bearer ${lingo.tokens[0]}` };
    const load = async (server: ServerChild): Promise<RunStats> => {
      const r = await runCannon({
        server,
        connections: concurrency,
        amount: concurrency * ctx.mode.memoryWaves,
        timeoutS: 120,
        path: paths.upload,
        headers,
        upload: body,
        expectInBody: uploadSuccess,
      });
      ctx.log(`  ${server.name.padEnd(12)} ${describe(r)}  VmHWM ${(server.peakRssBytes() / 1e6).toFixed(0)} MB`);
      return r;
    };
    // No warm-up: the first burst is exactly what this scenario is about.
    const lingoRun = await load(lingo);
    const receiveRun = await load(receive);
    const l = summarise(lingo, [lingoRun], idle.lingo);
    const b = summarise(receive, [receiveRun], idle.receive);
    return {
      id: 'memory',
      title: `Memory: ${concurrency} concurrent 10 MiB uploads × ${ctx.mode.memoryWaves} wave(s)`,
      lingo: l,
      baseline: b,
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
      ],
    };
  } finally {
    await Promise.all([lingo.stop(), receive.stop()]);
  }
};
