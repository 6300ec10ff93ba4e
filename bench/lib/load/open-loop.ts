import http from 'node:http';
import { neighbourStats, openWindow } from '../proc.js';
import { pidsOf, type ServerChild } from '../servers.js';
import { MB, percentile, type RunStats } from '../stats.js';

export interface OpenLoopRun {
  server: ServerChild;
  ratePerSec: number;
  durationS: number;
  path: string;
  /** Headers and body of request number i (lets the caller rotate tokens and bodies). */
  request(i: number): { headers: Record<string, string>; body: Buffer };
  expectInBody: string;
  /** Upper bound on sockets; when all are busy, requests queue in the agent and their wait counts. */
  maxSockets?: number;
}

/**
 * A fixed-rate (open-loop) generator in the manner of wrk2: request i is due at t0 + i/rate and
 * its latency is measured from that due time, not from when it was sent, so a server (or client)
 * that falls behind shows up in the percentiles instead of silently lowering the rate.
 *
 * autocannon's overallRate is not used: it lets each connection send its per-second quota
 * back-to-back at the top of every second and then idle, i.e. bursts of `connections` concurrent
 * requests, which measures burst latency, not latency at a steady 1 000/s.
 */
export async function runOpenLoop(run: OpenLoopRun): Promise<RunStats> {
  const total = Math.round(run.ratePerSec * run.durationS);
  const intervalMs = 1000 / run.ratePerSec;
  const agent = new http.Agent({ keepAlive: true, maxSockets: run.maxSockets ?? 128 });
  // Request i goes to instance i mod n: a round robin over a cluster's instances.
  const urls = run.server.instances.map((instance) => new URL(run.path, instance.baseUrl));
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  const statusCounts: Record<string, number> = {};
  const count = (k: string): void => void (statusCounts[k] = (statusCounts[k] ?? 0) + 1);
  let done = 0;
  let ok = 0;
  let responses = 0;
  let errors = 0;
  let sentBytes = 0;
  let lastSentAt = 0;

  const meter = openWindow(pidsOf(run.server));
  const t0 = performance.now() + 20;

  await new Promise<void>((resolveAll) => {
    const finish = (): void => {
      if (++done === total) resolveAll();
    };
    const fire = (i: number): void => {
      const due = t0 + i * intervalMs;
      const { headers, body } = run.request(i);
      lags[i] = performance.now() - due;
      lastSentAt = performance.now();
      const req = http.request(urls[i % urls.length]!, {
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Length': String(body.length) },
        timeout: 30_000,
      });
      let settled = false;
      const failed = (): void => {
        if (settled) return;
        settled = true;
        latencies[i] = performance.now() - due;
        errors++;
        count('conn-errors');
        finish();
      };
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', failed); // reset mid-body
        res.on('end', () => {
          if (settled) return;
          settled = true;
          latencies[i] = performance.now() - due;
          responses++;
          const status = res.statusCode ?? 0;
          count(String(status));
          if (status >= 200 && status < 300 && Buffer.concat(chunks).includes(run.expectInBody)) {
            ok++;
            sentBytes += body.length;
          } else if (status >= 200 && status < 300) count('2xx-with-error-body');
          finish();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', failed);
      req.end(body);
    };
    // Wake about every millisecond and send whatever has come due, so a late timer sends a small
    // burst to catch up instead of shifting the whole schedule.
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) fire(next++);
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, t0 + next * intervalMs - performance.now())));
    };
    setTimeout(tick, 20);
  });

  const wallS = (performance.now() - t0) / 1000;
  const w = meter.stop();
  agent.destroy();
  const sorted = latencies.sort();
  const sortedLags = lags.sort();
  return {
    server: run.server.name,
    client: 'open-loop',
    durationS: wallS,
    requests: responses,
    ok,
    bad: responses - ok + errors,
    reqPerSec: ok / wallS,
    mbPerSec: sentBytes / MB / wallS,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN },
    clientCpuPct: (w.clientCpuS / w.wallS) * 100,
    serverCpuPct: (w.serverCpuS / w.wallS) * 100,
    ...neighbourStats(w),
    serverRssMb: w.serverPeakRssBytes / MB,
    statusCounts,
    // What was actually put on the wire per second while sending; below the target = client-bound.
    offeredPerSec: total / Math.max(1e-9, (lastSentAt - t0) / 1000 + intervalMs / 1000),
    sendLagP99Ms: percentile(sortedLags, 99),
  };
}
