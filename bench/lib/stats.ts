/** What one measured run produced, whatever drove it. Rates are per second of measured wall time. */
export interface RunStats {
  server: string;
  client: 'autocannon' | 'wrk' | 'open-loop';
  durationS: number;
  /** Responses received (any status). */
  requests: number;
  /** 2xx responses whose body, where checked, said success. */
  ok: number;
  /** non-2xx + bodies that did not say success + connection errors + timeouts. */
  bad: number;
  reqPerSec: number;
  /** Request-body MB/s for uploads, response-body MB/s for downloads (MB = 10^6 bytes). */
  mbPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Load generator CPU, % of one core (autocannon is one thread; wrk may exceed 100). */
  clientCpuPct: number;
  /** Server process CPU, % of one core, all its threads (libuv pool, fsync) included. */
  serverCpuPct: number;
  /** CPU of processes outside the benchmark meanwhile (% of one core): high means a busy neighbour. */
  neighbourCpuPct: number;
  /** CPU of kernel threads meanwhile (writeback, journal, softirq), largely the server's own I/O. */
  kernelCpuPct: number;
  /** CPU of PostgreSQL, Redis and s3rver meanwhile: a pg-s3 server's own cost (other users of them included). */
  serviceCpuPct: number;
  /** The busiest neighbours, e.g. "node (vitest 1): 85%". */
  neighbours: string[];
  /** Highest VmRSS sampled while the run lasted. */
  serverRssMb: number;
  statusCounts: Record<string, number>;
  /** Open-loop only: the rate actually offered, and how late the client sent (p99). */
  offeredPerSec?: number;
  sendLagP99Ms?: number;
}

export const MB = 1e6;

/** µs of CPU per request, from a CPU share (% of one core) and a rate. */
export function cpuUsPerRequest(cpuPct: number, perSec: number): number {
  return (cpuPct * 10_000) / Math.max(1, perSec);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Exact percentile of an already sorted sample (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Field-wise median over rounds, so one noisy round cannot move the reported figure much. */
export function medianRun(runs: readonly RunStats[]): RunStats {
  const first = runs[0];
  if (!first) throw new Error('medianRun of no runs');
  const m = (f: (r: RunStats) => number): number => median(runs.map(f));
  const statusCounts: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  const out: RunStats = {
    server: first.server,
    client: first.client,
    durationS: m((r) => r.durationS),
    // Counts are summed, not medianed: they back the error-rate check over the whole scenario.
    requests: runs.reduce((a, r) => a + r.requests, 0),
    ok: runs.reduce((a, r) => a + r.ok, 0),
    bad: runs.reduce((a, r) => a + r.bad, 0),
    reqPerSec: m((r) => r.reqPerSec),
    mbPerSec: m((r) => r.mbPerSec),
    latencyMs: { p50: m((r) => r.latencyMs.p50), p99: m((r) => r.latencyMs.p99), max: Math.max(...runs.map((r) => r.latencyMs.max)) },
    clientCpuPct: m((r) => r.clientCpuPct),
    serverCpuPct: m((r) => r.serverCpuPct),
    neighbourCpuPct: m((r) => r.neighbourCpuPct),
    kernelCpuPct: m((r) => r.kernelCpuPct),
    serviceCpuPct: m((r) => r.serviceCpuPct),
    neighbours: runs.flatMap((r) => r.neighbours),
    serverRssMb: Math.max(...runs.map((r) => r.serverRssMb)),
    statusCounts,
  };
  if (first.offeredPerSec !== undefined) out.offeredPerSec = m((r) => r.offeredPerSec ?? NaN);
  if (first.sendLagP99Ms !== undefined) out.sendLagP99Ms = m((r) => r.sendLagP99Ms ?? NaN);
  return out;
}

/** Share of attempts that failed (bad = non-successes + errors); a run with none counts as all bad. */
export function badShare(r: Pick<RunStats, 'ok' | 'bad'>): number {
  const attempts = r.ok + r.bad;
  return attempts === 0 ? 1 : r.bad / attempts;
}
