import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { neighbourStats, openWindow } from '../proc.js';
import { repoRoot, type ServerChild } from '../servers.js';
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
 * the body's entropy, unlike autocannon, which decodes every body to a JS string.
 */
export async function runWrk(run: WrkRun): Promise<RunStats> {
  const args = ['-t', String(run.threads), '-c', String(run.connections), '-d', `${run.durationS}s`, '--timeout', '10s'];
  for (const [k, v] of Object.entries(run.headers)) args.push('-H', `${k}: ${v}`);
  args.push('-s', path.join(repoRoot, 'bench/lib/load/wrk-report.lua'), run.server.baseUrl + run.path);
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const meter = openWindow(run.server.pid, child.pid!);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const w = meter.stop();
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}\n${err}`);
  const s = JSON.parse(line.slice('WRK_JSON '.length)) as WrkSummary;
  const durationS = s.duration_us / 1e6;
  const errors = s.connect + s.read + s.write + s.timeout;
  const ok = s.requests - s.status;
  const statusCounts: Record<string, number> = { '2xx/3xx': ok };
  if (s.status) statusCounts['4xx/5xx'] = s.status;
  if (errors) statusCounts['conn-errors'] = errors;
  return {
    server: run.server.name,
    client: 'wrk',
    durationS,
    requests: s.requests,
    ok,
    bad: s.status + errors,
    reqPerSec: ok / durationS,
    mbPerSec: s.bytes / MB / durationS,
    latencyMs: { p50: s.p50_us / 1000, p99: s.p99_us / 1000, max: s.max_us / 1000 },
    // Sampled every 50 ms, so the last sliver of wrk's run is missed; it is a few percent at most.
    clientCpuPct: (w.clientCpuS / w.wallS) * 100,
    serverCpuPct: (w.serverCpuS / w.wallS) * 100,
    ...neighbourStats(w),
    serverRssMb: w.serverPeakRssBytes / MB,
    statusCounts,
  };
}
