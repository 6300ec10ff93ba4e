/**
 * `npm run bench [-- --quick] [-- --only small-uploads,downloads] [-- --profile [large]]
 *   [-- --backend pg-s3 [--instances 1,2]]`
 *
 * Issue #4: lingo-server against purpose-built node:http baselines, each server in its own child
 * process, A/B alternated, medians and ratios reported against the targets in bench/README.md.
 * Issue #16: `--backend pg-s3` adds lingo-server on PostgreSQL + S3 + Redis beside the embedded one.
 */
import path from 'node:path';
import { maxBadShare, modes } from './lib/config.js';
import { makeImages } from './lib/images.js';
import { wrkVersion } from './lib/load/wrk.js';
import { profileUploads } from './lib/profile.js';
import { backendsSection } from './lib/backend-report.js';
import { describeMachine, detailsTable, targetsTable, updateReadme, writeResults, type BenchReport } from './lib/report.js';
import { checkServices, variantsOf } from './lib/lingo-backends.js';
import { noiseNote, serversOf, type Scenario, type ScenarioContext, type ScenarioResult } from './lib/scenarios/common.js';
import { downloads } from './lib/scenarios/downloads.js';
import { highlight } from './lib/scenarios/highlight.js';
import { latency } from './lib/scenarios/latency.js';
import { memory } from './lib/scenarios/memory.js';
import { largeUploads, smallUploads } from './lib/scenarios/uploads.js';
import { buildServers, repoRoot } from './lib/servers.js';
import { badShare } from './lib/stats.js';

const scenarios: ReadonlyArray<readonly [string, Scenario]> = [
  ['small-uploads', smallUploads],
  ['large-uploads', largeUploads],
  ['memory', memory],
  ['downloads', downloads],
  ['latency', latency],
  ['highlight', highlight],
];

const log = (line: string): void => void process.stdout.write(line + '\n');

function option(name: string): string | undefined {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const arg = process.argv[i]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (process.argv[i + 1] ?? '');
}

/** A run where more than 1% of requests failed measured error handling, not the server. */
function problemsOf(s: ScenarioResult): string[] {
  return serversOf(s).flatMap((server) =>
    [...server.runs, ...server.repeated]
      .filter((r) => badShare(r) > maxBadShare)
      .map((r) =>
        r.ok + r.bad === 0
          ? `${s.id} / ${server.name}: no request was answered within the ${r.durationS.toFixed(0)} s run`
          : `${s.id} / ${server.name}: ${r.bad} of ${r.ok + r.bad} requests failed (${JSON.stringify(r.statusCounts)})`,
      ),
  );
}

async function main(): Promise<number> {
  const mode = modes[process.argv.includes('--quick') ? 'quick' : 'full'];
  const variants = variantsOf(option('backend'), option('instances'));
  checkServices(variants);
  const started = performance.now();
  const wrk = wrkVersion();
  const [images] = await Promise.all([makeImages(), buildServers()]);
  log(`images: ${images.smallJpeg.length} B JPEG 800×600, ${images.largePng.length} B PNG 4096×4096`);
  log(`load: autocannon for uploads, ${wrk ?? 'autocannon (wrk not installed)'} for downloads, open-loop for latency`);

  if (process.argv.includes('--profile')) {
    const kind = process.argv.includes('large') ? 'large' : 'small';
    await profileUploads({ mode, retryBudget: { seconds: 0 }, images, wrk, variants: [], log }, kind, path.join(repoRoot, 'bench/results'));
    return 0;
  }

  const only = option('only')?.split(',').filter(Boolean);
  const selected = scenarios.filter(([id]) => !only || only.includes(id));
  if (selected.length === 0) throw new Error(`--only matched no scenario; known: ${scenarios.map(([id]) => id).join(', ')}`);
  const ctx: ScenarioContext = { mode, retryBudget: { seconds: mode.retryBudgetS }, images, wrk, variants, log };
  const report: BenchReport = { machine: describeMachine(wrk), mode, scenarios: [], problems: [] };
  for (const [id, scenario] of selected) {
    log(`\n== ${id} (${((performance.now() - started) / 1000).toFixed(0)} s elapsed)`);
    try {
      const result = await scenario(ctx);
      for (const server of serversOf(result)) {
        const note = noiseNote(server);
        if (note) result.notes.push(note);
      }
      report.scenarios.push(result);
      report.problems.push(...problemsOf(result));
    } catch (err) {
      // One broken scenario should not hide the others' figures, but the run is then a failure.
      report.problems.push(`${id} crashed: ${err instanceof Error ? err.message : String(err)}`);
      log(`!! ${id} crashed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }

  const dir = path.join(repoRoot, 'bench/results');
  // Only a complete full run is "the latest results"; a quick or partial run must not replace them.
  // A full run with other backends is kept apart (latest-pg-s3): its extra servers change the run.
  const complete = mode.name === 'full' && !only;
  const files = writeResults(report, dir, !complete ? 'scratch' : variants.length ? 'latest-pg-s3' : 'latest');
  if (complete && !variants.length && report.problems.length === 0) updateReadme(path.join(repoRoot, 'bench/README.md'), report);
  log(`\n${targetsTable(report)}\n\n${backendsSection(report.scenarios).join('\n')}\n${detailsTable(report)}\n`);
  for (const s of report.scenarios) for (const note of s.notes) log(`- ${s.id}: ${note}`);
  log(`\nwrote ${path.relative(repoRoot, files.json)} and ${path.relative(repoRoot, files.md)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (report.problems.length) {
    log('\n!!!!!!!! INVALID BENCHMARK: a benchmark that measures errors measures nothing !!!!!!!!');
    for (const p of report.problems) log(`!! ${p}`);
    return 1;
  }
  // Targets are informational: a MISS is a finding, not a failure of the benchmark.
  return process.exitCode === 1 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
