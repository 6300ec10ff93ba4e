import type { RunStats } from '../stats.js';
import type { LingoServer } from '../servers.js';
import { breakdown, scrapeMetrics, type Breakdown, type MetricsSnapshot } from '../server-metrics.js';
import type { ServerSummary, Side, SideRuns } from './common.js';

/**
 * What the scenarios do alike to every lingo-server they run, the embedded one and those on the
 * stores of `--backend` (ctx.variants): metering their storage calls, checking their stored files,
 * and comparing them.
 */

/** Route ids in lingo-server's metrics. */
export const uploadOperation = 'lingo.v1.file.upload';
export const downloadOperation = 'lingo.v1.file.download';

/**
 * A side whose server's /metrics are scraped after its warm-up, so that `breakdown()` (called
 * after the rounds) covers exactly the measured runs, repeated ones included.
 */
export function meteredSide(server: LingoServer, operation: string, side: Side): { side: Side; breakdown(): Promise<Breakdown> } {
  let before: MetricsSnapshot | undefined;
  return {
    side: {
      ...side,
      warmup: async () => {
        const r = await side.warmup();
        before = await scrapeMetrics(server, operation);
        return r;
      },
    },
    breakdown: async () => {
      if (!before) throw new Error(`${server.name}: breakdown() before the warm-up`);
      return breakdown(server.name, operation, before, await scrapeMetrics(server, operation));
    },
  };
}

/**
 * Proof that every acknowledged upload was written: one row per success, each with a blob of its
 * own. A run ends with up to `connections` requests in flight, which the server may still store.
 */
export async function storedFilesNote(server: LingoServer, runs: SideRuns, connections: number): Promise<string> {
  const all: RunStats[] = [runs.warmup, ...runs.kept, ...runs.discarded];
  const acknowledged = all.reduce((n, r) => n + r.ok, 0);
  const { rows, distinctBlobs } = await server.storedFiles();
  const unique = distinctBlobs === rows && rows >= acknowledged && rows <= acknowledged + connections * all.length;
  return unique
    ? `${server.name} acknowledged ${acknowledged} uploads (warm-up and repeated runs included) and holds ${rows} file rows over ${distinctBlobs} distinct blobs ` +
        '(the excess: requests in flight when runs ended): no write was deduplicated away.'
    : `${server.name} acknowledged ${acknowledged} uploads but holds ${rows} file rows over ${distinctBlobs} distinct blobs: CHECK the unique-body logic.`;
}

/** Each other backend's figure against the embedded server's, with what its stores were. */
export function backendNotes(
  embedded: ServerSummary,
  others: readonly LingoServer[],
  summaries: readonly ServerSummary[],
  value: (r: RunStats) => number,
  unit: string,
): string[] {
  return summaries.flatMap((s, i) => {
    const ratio = value(s.median) / value(embedded.median);
    const cpu = `server ${s.median.serverCpuPct.toFixed(0)}% CPU (all instances), PostgreSQL + Redis + s3rver ${s.median.serviceCpuPct.toFixed(0)}%`;
    const f = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: unit === 'req/s' ? 0 : 1 });
    return [
      ...(others[i]?.storeNotes ?? []),
      `${s.name}: ${f(value(s.median))} ${unit}, ${ratio.toFixed(2)}× the embedded server's ${f(value(embedded.median))} ${unit}; ${cpu}.`,
    ];
  });
}
