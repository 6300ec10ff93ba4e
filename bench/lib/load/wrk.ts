import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { neighbourStats, openWindow } from '../proc.js';
import { pidsOf, repoRoot, type ServerChild } from '../servers.js';
import { MB, type RunStats } from '../stats.js';

/** wrk's version line, or undefined when it is not installed (the bench then uses autocannon). */
export function wrkVersion(): string | undefined {
  try {
    // `wrk -v` prints its banner and exits 1; the banner is all we want.
    execFileSync('wrk', ['-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? '');
    const m = /^wrk \S+/.exec(out);
    return m ? m[0] : undefined;
  }
  return undefined;
}

interface WrkSummary {
  requests: number;
  duration_us: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

export interface WrkRun {
  server: ServerChild;
  connections: number;
  threads: number;
  durationS: number;
  path: string;
  headers: Record<string, string>;
}

/**
 * A GET load with wrk in its own process: a C client whose cost per response does not depend on
 * the body's entropy, unlike autocannon, which decodes every body to a JS string. A cluster's
 * instances get one wrk each (wrk takes one URL), with an equal share of the connections and
 * threads, all started together; their counts add up, and the latencies reported are the slowest
 * process's percentiles (percentiles of two samples do not combine exactly).
 */
export async function runWrk(run: WrkRun): Promise<RunStats> {
  const n = run.server.instances.length;
  const children = run.server.instances.map((instance, i) => {
    const connections = Math.floor(run.connections / n) + (i < run.connections % n ? 1 : 0);
    const threads = Math.max(1, Math.floor(run.threads / n));
    const args = ['-t', String(threads), '-c', String(connections), '-d', `${run.durationS}s`, '--timeout', '10s'];
    for (const [k, v] of Object.entries(run.headers)) args.push('-H', `${k}: ${v}`);
    args.push('-s', path.join(repoRoot, 'bench/lib/load/wrk-report.lua'), instance.baseUrl + run.path);
    return spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  });
  const meter = openWindow(
    pidsOf(run.server),
    children.map((c) => c.pid!),
  );
  const summaries = await Promise.all(children.map(wrkSummary));
  const w = meter.stop();
  const sum = (f: (s: WrkSummary) => number): number => summaries.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: WrkSummary) => number): number => Math.max(...summaries.map(f));
  const durationS = max((s) => s.duration_us) / 1e6;
  const status = sum((s) => s.status);
  const errors = sum((s) => s.connect + s.read + s.write + s.timeout);
  const requests = sum((s) => s.requests);
  const ok = requests - status;
  const statusCounts: Record<string, number> = { '2xx/3xx': ok };
  if (status) statusCounts['4xx/5xx'] = status;
  if (errors) statusCounts['conn-errors'] = errors;
  return {
    server: run.server.name,
    client: 'wrk',
    durationS,
    requests,
    ok,
    bad: status + errors,
    reqPerSec: ok / durationS,
    mbPerSec: sum((s) => s.bytes) / MB / durationS,
    latencyMs: { p50: max((s) => s.p50_us) / 1000, p99: max((s) => s.p99_us) / 1000, max: max((s) => s.max_us) / 1000 },
    // Sampled every 50 ms, so the last sliver of wrk's run is missed; it is a few percent at most.
    clientCpuPct: (w.clientCpuS / w.wallS) * 100,
    serverCpuPct: (w.serverCpuS / w.wallS) * 100,
    ...neighbourStats(w),
    serverRssMb: w.serverPeakRssBytes / MB,
    statusCounts,
  };
}

/** One wrk process's summary line (printed by wrk-report.lua), once it has exited. */
async function wrkSummary(child: ChildProcess): Promise<WrkSummary> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  // 'close', not 'exit': the summary line may still be in the pipe when the process exits.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}\n${err}`);
  return JSON.parse(line.slice('WRK_JSON '.length)) as WrkSummary;
}
