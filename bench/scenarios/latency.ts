import { paths, targets, uploadSuccess } from '../config.js';
import { runOpenLoop } from '../load/open-loop.js';
import { UploadBody } from '../multipart.js';
import { startLingo, startReceive, type ServerChild } from '../servers.js';
import type { RunStats } from '../stats.js';
import { alternate, cpuNote, idleRssMb, startPair, summarise, type Scenario } from './common.js';

/**
 * Small uploads at a steady 1 000/s spread over 20 apps (one tenant token each, rotated per
 * request), measured open-loop; receive runs the same schedule as the reference.
 */
export const latency: Scenario = async (ctx) => {
  const [lingo, receive] = await startPair(startLingo(targets.latencyApps), startReceive());
  try {
    const idle = { lingo: idleRssMb(lingo), receive: idleRssMb(receive) };
    const body = new UploadBody(ctx.images.smallJpeg, 'bench.jpg');
    const auth = lingo.tokens.map((t) => `Bearer ${t}`);
    const load = (server: ServerChild, durationS: number): Promise<RunStats> =>
      runOpenLoop({
        server,
        ratePerSec: targets.latencyRatePerSec,
        durationS,
        path: paths.upload,
        expectInBody: uploadSuccess,
        request: (i) => ({ headers: { Authorization: auth[i % auth.length]!, 'Content-Type': body.contentType }, body: body.nextCopy() }),
      });
    const runs = await alternate(
      ctx,
      ctx.mode.latencyRounds,
      { label: 'lingo-server', warmup: () => load(lingo, ctx.mode.warmupS), run: () => load(lingo, ctx.mode.latencyS) },
      { label: 'receive', warmup: () => load(receive, ctx.mode.warmupS), run: () => load(receive, ctx.mode.latencyS) },
    );
    const l = summarise(lingo, runs.a, idle.lingo, runs.discarded.a);
    const b = summarise(receive, runs.b, idle.receive, runs.discarded.b);
    const rate = targets.latencyRatePerSec;
    const notes = [cpuNote(l), cpuNote(b)];
    for (const s of [l, b]) {
      const offered = s.median.offeredPerSec ?? 0;
      const lag = (s.median.sendLagP99Ms ?? NaN).toFixed(1);
      if (offered < 0.95 * rate) {
        notes.push(`${s.name}: the client could NOT hold ${rate}/s (sent ${offered.toFixed(0)}/s, p99 send lag ${lag} ms).`);
      } else {
        // Late sends (timer or scheduling jitter on a shared machine) are charged to latency, as in wrk2.
        notes.push(`${s.name}: the client held ${rate}/s (sent ${offered.toFixed(0)}/s; p99 send lag ${lag} ms, included in latency).`);
      }
      if (s.median.reqPerSec < 0.95 * rate) {
        notes.push(`${s.name}: completed only ${s.median.reqPerSec.toFixed(0)}/s of ${rate}/s offered: it fell behind and requests queued.`);
      }
    }
    return {
      id: 'latency',
      title: `Latency: small uploads at a fixed ${rate}/s over ${targets.latencyApps} apps (open loop)`,
      lingo: l,
      baseline: b,
      headline: {
        metric: `p99 ms at ${rate}/s (p50 ${l.median.latencyMs.p50.toFixed(1)} ms)`,
        lingo: l.median.latencyMs.p99,
        baseline: b.median.latencyMs.p99,
        ratio: l.median.latencyMs.p99 / b.median.latencyMs.p99,
        target: `p99 ≤ ${targets.latencyMaxP99Ms} ms`,
        pass: l.median.latencyMs.p99 <= targets.latencyMaxP99Ms,
      },
      notes,
    };
  } finally {
    await Promise.all([lingo.stop(), receive.stop()]);
  }
};
