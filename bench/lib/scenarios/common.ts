import { noisyNeighbourPct, type Mode } from '../config.js';
import type { BenchImages } from '../images.js';
import type { LingoVariant } from '../lingo-backends.js';
import { readProc } from '../proc.js';
import type { Breakdown } from '../server-metrics.js';
import type { ServerChild } from '../servers.js';
import { MB, medianRun, type RunStats } from '../stats.js';

export interface ScenarioContext {
  mode: Mode;
  /** What is left of mode.retryBudgetS; shared by all scenarios. */
  retryBudget: { seconds: number };
  images: BenchImages;
  /** wrk's version when installed; downloads then use it instead of autocannon. */
  wrk: string | undefined;
  /** lingo-server on other stores (`--backend pg-s3`), run beside the embedded one; usually none. */
  variants: readonly LingoVariant[];
  log(line: string): void;
}

/** The figure a target is judged on. */
export interface Headline {
  metric: string;
  lingo: number;
  baseline: number;
  /** lingo / baseline; what throughput targets are judged on. */
  ratio: number;
  target: string;
  pass: boolean;
  /** No target to judge (the result column then shows "reported"). */
  informational?: boolean;
  /**
   * The physical limit, where one applies, in the metric's unit: what the disk alone can make
   * durable (`disk`, bench/lib/disk.ts), or the durable-receive baseline over HTTP (`durable
   * receive`, bench/lib/baselines/durable-receive.ts). The target is attainable only within it.
   */
  limit?: { value: number; source: 'disk' | 'durable receive'; targetAttainable: boolean };
  /**
   * Small uploads: durable-receive plus every step of the work lingo-server may not skip (walker,
   * SHA-256, journal row, SQLite row; bench/ladder.ts). Not a physical limit, since it depends on
   * our design, but the least a server built from these parts does.
   */
  floor?: { value: number; targetAttainable: boolean };
}

export interface ServerSummary {
  name: string;
  runs: RunStats[];
  median: RunStats;
  /** RSS right after start, before any load (each child is plain compiled JavaScript, no loader). */
  idleRssMb: number;
  /** VmHWM when the scenario ended: the child's peak over the whole scenario. */
  peakRssMb: number;
  /** Runs a busy neighbour disturbed, repeated and left out of the figures (kept for the record). */
  repeated: RunStats[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  lingo: ServerSummary;
  baseline: ServerSummary;
  /** The durable-receive baseline's runs, where it sets the limit. */
  limit?: ServerSummary;
  /** The required-work floor's runs (small uploads). */
  floor?: ServerSummary;
  /** lingo-server on the stores of ctx.variants, same load; the headline stays the embedded server's. */
  backends?: ServerSummary[];
  /** Where each lingo-server's time per request went, from its own /metrics (upload scenarios). */
  breakdowns?: Breakdown[];
  headline: Headline;
  notes: string[];
  /** Figures beyond the runs' (the highlight scenario's update costs), for latest.json. */
  figures?: Record<string, number>;
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioResult>;

/** Every server a scenario measured. */
export const serversOf = (s: ScenarioResult): ServerSummary[] => [
  s.lingo,
  s.baseline,
  ...(s.limit ? [s.limit] : []),
  ...(s.floor ? [s.floor] : []),
  ...(s.backends ?? []),
];

/**
 * Starts the servers at once (an undefined start stays undefined, in its place); if one fails,
 * stops the others so that no child outlives its scenario.
 */
export async function startAll<T extends readonly (Promise<ServerChild> | undefined)[]>(...starts: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  // eslint-disable-next-line @typescript-eslint/await-thenable -- an undefined start is a server not started
  const all = await Promise.allSettled(starts);
  const failed = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return all.map((r) => (r as PromiseFulfilledResult<ServerChild | undefined>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
  await Promise.all(all.map(async (r) => (r.status === 'fulfilled' ? r.value?.stop() : undefined)));
  throw failed.reason;
}

/** Of every instance together. */
export function idleRssMb(server: ServerChild): number {
  return server.instances.reduce((sum, i) => sum + (readProc(i.pid)?.rssBytes ?? 0), 0) / MB;
}

export interface Side {
  label: string;
  warmup: () => Promise<RunStats>;
  run: () => Promise<RunStats>;
}

/** One side's runs from alternate(). */
export interface SideRuns {
  warmup: RunStats;
  /** One per round: what the figures are made of. */
  kept: RunStats[];
  /** Runs repeated because a neighbour disturbed them: not in the figures, but their uploads happened. */
  discarded: RunStats[];
}

/**
 * Runs the sides in turn, `rounds` times (A B C A B C …), after one unrecorded warm-up of each,
 * so that drift over time (page cache, disk, thermal) hits every server alike. An undefined side
 * (a server the scenario does not run) is skipped and gets undefined, in its place.
 */
export async function alternate<T extends readonly (Side | undefined)[]>(
  ctx: ScenarioContext,
  rounds: number,
  ...sides: T
): Promise<{ -readonly [K in keyof T]: T[K] extends Side ? SideRuns : SideRuns | undefined }> {
  const out: Array<SideRuns | undefined> = [];
  for (const side of sides) out.push(side && { warmup: await side.warmup(), kept: [], discarded: [] });
  for (let round = 1; round <= rounds; round++) {
    for (const [i, side] of sides.entries()) {
      if (!side) continue;
      const runs = await runQuietly(ctx, `round ${round}/${rounds} ${side.label.padEnd(12)}`, side.run);
      out[i]!.kept.push(runs.kept);
      out[i]!.discarded.push(...runs.discarded);
    }
  }
  return out as { -readonly [K in keyof T]: T[K] extends Side ? SideRuns : SideRuns | undefined };
}

/**
 * Runs once; if a neighbour took a real share of the CPU meanwhile, runs again (once, while the
 * retry budget lasts) and keeps the second result, whatever it is: the notes then tell.
 */
export async function runQuietly(ctx: ScenarioContext, label: string, run: () => Promise<RunStats>): Promise<{ kept: RunStats; discarded: RunStats[] }> {
  const r = await run();
  ctx.log(`  ${label} ${describe(r)}`);
  if (r.neighbourCpuPct <= noisyNeighbourPct || ctx.retryBudget.seconds < r.durationS) return { kept: r, discarded: [] };
  ctx.retryBudget.seconds -= r.durationS;
  ctx.log(`  ${' '.repeat(label.length)} ^ disturbed (${r.neighbours.join(', ') || 'short-lived processes'}); running it again`);
  const again = await run();
  ctx.log(`  ${label} ${describe(again)}`);
  return { kept: again, discarded: [r] };
}

export function describe(r: RunStats): string {
  const failed = r.bad ? `  FAILED ${r.bad}` : '';
  return (
    `${r.reqPerSec.toFixed(0).padStart(6)} req/s ${r.mbPerSec.toFixed(1).padStart(7)} MB/s  p50 ${r.latencyMs.p50.toFixed(1)} ms  ` +
    `p99 ${r.latencyMs.p99.toFixed(1)} ms  CPU server ${r.serverCpuPct.toFixed(0)}% client ${r.clientCpuPct.toFixed(0)}% ` +
    `kernel ${r.kernelCpuPct.toFixed(0)}% services ${r.serviceCpuPct.toFixed(0)}% neighbours ${r.neighbourCpuPct.toFixed(0)}%  ` +
    `RSS ${r.serverRssMb.toFixed(0)} MB  (${r.client})${failed}`
  );
}

export function summarise(server: ServerChild, runs: RunStats[], idleMb: number, repeated: RunStats[] = []): ServerSummary {
  return { name: server.name, runs, median: medianRun(runs), idleRssMb: idleMb, peakRssMb: server.peakRssBytes() / MB, repeated };
}

/**
 * A note when the load generator, not the server, may have set the pace: a single-threaded
 * autocannon near a full core, or wrk near both cores of a 2-core machine.
 */
export function clientBoundNote(s: ServerSummary, cores: number): string | undefined {
  const r = s.median;
  const limit = r.client === 'wrk' ? Math.min(2, cores) * 100 : 100;
  if (r.clientCpuPct < 0.9 * limit) return undefined;
  return `${s.name}: the ${r.client} client used ${r.clientCpuPct.toFixed(0)}% CPU (limit ~${limit}%): this figure may be client-bound.`;
}

/** Other processes busy during the runs (a test suite, a compiler) make the figures unreliable. */
export function noiseNote(s: ServerSummary): string | undefined {
  const worst = s.runs.reduce((w, r) => (r.neighbourCpuPct > w.neighbourCpuPct ? r : w));
  if (worst.neighbourCpuPct <= noisyNeighbourPct) return undefined;
  const who = worst.neighbours.length ? ` (${worst.neighbours.join('; ')})` : '';
  return (
    `${s.name}: other processes used up to ${worst.neighbourCpuPct.toFixed(0)}% CPU during a recorded run${who}, ` +
    `median ${s.median.neighbourCpuPct.toFixed(0)}%: the machine was not quiet, treat these figures with care.`
  );
}

/** Lists on one line how the machine's CPU was split, which tells who was the bottleneck. */
export function cpuNote(s: ServerSummary): string {
  const r = s.median;
  return `${s.name}: server ${r.serverCpuPct.toFixed(0)}% CPU, ${r.client} client ${r.clientCpuPct.toFixed(0)}% CPU.`;
}
