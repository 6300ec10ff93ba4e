import { paths, targets, uploadSuccess } from '../config.js';
import { runOpenLoop } from '../load/open-loop.js';
import { UploadBody } from '../multipart.js';
import { startDurableReceive, startLingo, startReceive, type ServerChild } from '../servers.js';
import type { RunStats } from '../stats.js';
import { alternate, cpuNote, idleRssMb, startAll, summarise, type Scenario, type Side } from './common.js';
import { backendNotes } from './lingo-sides.js';

/**
 * Small uploads at a steady 1 000/s spread over 20 apps (one tenant token each, rotated per
 * request), measured open-loop; receive runs the same schedule as the reference, and
 * durable-receive (receive plus a durable write, nothing else) gives the limit: the p99 that the
 * machine's cores, scheduler and disk allow a server that acknowledges only durable uploads.
 */
export const latency: Scenario = async (ctx) => {
  const [lingo, receive, durable, ...others] = await startAll(
    startLingo(targets.latencyApps),
    startReceive(),
    startDurableReceive(),
    ...ctx.variants.map((variant) => startLingo(targets.latencyApps, [], { variant })),
  );
  try {
    const idle = { lingo: idleRssMb(lingo), receive: idleRssMb(receive), durable: idleRssMb(durable), others: others.map(idleRssMb) };
    const body = new UploadBody(ctx.images.smallJpeg, 'bench.jpg');
    // The baselines ignore the tokens; each lingo-server rotates over its own apps'.
    const load = (server: ServerChild, durationS: number, tokens = lingo.tokens): Promise<RunStats> => {
      const auth = tokens.map((t) => `Bearer ${t}`);
      return runOpenLoop({
        server,
        ratePerSec: targets.latencyRatePerSec,
        durationS,
        path: paths.upload,
        expectInBody: uploadSuccess,
        request: (i) => ({ headers: { Authorization: auth[i % auth.length]!, 'Content-Type': body.contentType }, body: body.nextCopy() }),
      });
    };
    const side = (label: string, server: ServerChild, tokens?: string[]): Side => ({
      label,
      warmup: () => load(server, ctx.mode.warmupS, tokens),
      run: () => load(server, ctx.mode.latencyS, tokens),
    });
    const [lr, br, dr, ...or] = await alternate(
      ctx,
      ctx.mode.latencyRounds,
      side('lingo-server', lingo),
      side('receive', receive),
      side('durable', durable),
      ...others.map((x) => side(x.name, x, x.tokens)),
    );
    const l = summarise(lingo, lr.kept, idle.lingo, lr.discarded);
    const b = summarise(receive, br.kept, idle.receive, br.discarded);
    const d = summarise(durable, dr.kept, idle.durable, dr.discarded);
    const o = others.map((server, i) => summarise(server, or[i]!.kept, idle.others[i]!, or[i]!.discarded));
    const rate = targets.latencyRatePerSec;
    const limitP99 = d.median.latencyMs.p99;
    const notes = [
      `physical limit: durable-receive's p99 was ${limitP99.toFixed(1)} ms (p50 ${d.median.latencyMs.p50.toFixed(1)} ms) on the same schedule; ` +
        (limitP99 <= targets.latencyMaxP99Ms
          ? `the target leaves ${(targets.latencyMaxP99Ms - limitP99).toFixed(1)} ms of p99 above it for lingo-server's own work.`
          : `above the target: no server that acknowledges only durable uploads met it here.`),
      // One stall (a GC pause, a descheduled main thread) can decide a run's p99: show every round.
      ...backendNotes(l, others, o, (r) => r.latencyMs.p99, 'ms p99'),
      `p99 per round: ${[l, d, ...o].map((x) => `${x.name} ${x.runs.map((r) => r.latencyMs.p99.toFixed(1)).join(', ')} ms`).join('; ')}.`,
      cpuNote(l),
      cpuNote(b),
      cpuNote(d),
      ...o.map(cpuNote),
    ];
    for (const s of [l, b, d, ...o]) {
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
      limit: d,
      ...(o.length > 0 ? { backends: o } : {}),
      headline: {
        metric: `p99 ms at ${rate}/s, median of ${ctx.mode.latencyRounds} (p50 ${l.median.latencyMs.p50.toFixed(1)} ms)`,
        lingo: l.median.latencyMs.p99,
        baseline: b.median.latencyMs.p99,
        ratio: l.median.latencyMs.p99 / b.median.latencyMs.p99,
        target: `p99 ≤ ${targets.latencyMaxP99Ms} ms`,
        pass: l.median.latencyMs.p99 <= targets.latencyMaxP99Ms,
        limit: { value: limitP99, source: 'durable receive', targetAttainable: limitP99 <= targets.latencyMaxP99Ms },
      },
      notes,
    };
  } finally {
    await Promise.all([lingo.stop(), receive.stop(), durable?.stop(), ...others.map((x) => x.stop())]);
  }
};
