import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Mode } from './config.js';
import { backendsSection } from './backend-report.js';
import { serversOf, type ScenarioResult, type ServerSummary } from './scenarios/common.js';
import { repoRoot } from './servers.js';

export interface Machine {
  cpuModel: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
  date: string;
  autocannon: string;
  wrk: string | null;
  /** 1-minute load average when the run began: above ~0.5 the machine was not idle. */
  loadAvg1m: number;
}

export interface BenchReport {
  machine: Machine;
  mode: Mode;
  scenarios: ScenarioResult[];
  /** Runs with more than 1% failed requests, or scenarios that threw: the figures are void. */
  problems: string[];
}

export function describeMachine(wrk: string | undefined): Machine {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string };
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGb: Math.round(os.totalmem() / 1e8) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    autocannon: pkg.version,
    wrk: wrk ?? null,
    loadAvg1m: os.loadavg()[0] ?? NaN,
  };
}

export const n = (v: number, digits = 0): string =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** The headline value with the unit its metric implies. */
export function fmt(s: ScenarioResult, v: number): string {
  if (s.id === 'large-uploads') return `${n(v, 1)} MB/s`;
  if (s.id === 'memory') return `${n(v)} MB`;
  if (s.id === 'latency') return `${n(v, 1)} ms`;
  return `${n(v)} req/s`;
}

export function targetsTable(r: BenchReport): string {
  const rows = r.scenarios.map((s, i) => {
    const h = s.headline;
    // The physical limit, then (small uploads) the required-work floor, side by side in each cell.
    const limits = [
      ...(h.limit ? [{ value: h.limit.value, source: h.limit.source, attainable: h.limit.targetAttainable, tag: '' }] : []),
      ...(h.floor ? [{ value: h.floor.value, source: 'required-work floor', attainable: h.floor.targetAttainable, tag: ' (floor)' }] : []),
    ];
    const cells = (cell: (l: (typeof limits)[number]) => string): string => limits.map(cell).join('; ');
    const limit =
      limits.length === 0
        ? '– | – | –'
        : `${cells((l) => `${fmt(s, l.value)} (${l.source})`)} | ${cells((l) => `${n(h.lingo / l.value, 2)}×`)} | ` +
          cells((l) => `${l.attainable ? 'yes' : '**no**'}${l.tag}`);
    return `| ${i + 1} | ${s.title} | ${h.metric} | ${fmt(s, h.lingo)} | ${fmt(s, h.baseline)} (${s.baseline.name}) | ${n(h.ratio, 2)}× | ${h.target} | ${h.informational ? 'reported' : h.pass ? 'PASS' : '**MISS**'} | ${limit} |`;
  });
  return [
    '| # | Scenario | Metric | lingo-server | Baseline | lingo / baseline | Target | Result | Physical limit | lingo / limit | Target within limit |',
    '|---|---|---|---:|---:|---:|---|---|---:|---:|---|',
    ...rows,
  ].join('\n');
}

function detailRow(s: ScenarioResult, server: ServerSummary): string {
  const m = server.median;
  const failed = m.bad ? `**${n(m.bad)}**` : '0';
  return (
    `| ${s.id} | ${server.name} | ${m.client} | ${n(m.reqPerSec)} | ${n(m.mbPerSec, 1)} | ${n(m.latencyMs.p50, 1)} | ${n(m.latencyMs.p99, 1)} | ` +
    `${n(m.serverCpuPct)} | ${n(m.clientCpuPct)} | ${n(m.kernelCpuPct)} | ${n(m.serviceCpuPct)} | ${n(m.neighbourCpuPct)} | ${n(server.idleRssMb)} | ${n(server.peakRssMb)} | ${n(m.ok)} | ${failed} |`
  );
}

export function detailsTable(r: BenchReport): string {
  return [
    '| Scenario | Server | Client | req/s | MB/s | p50 ms | p99 ms | server CPU % | client CPU % | kernel CPU % | services CPU % | neighbours CPU % | idle RSS MB | peak RSS MB | OK | failed |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.scenarios.flatMap((s) => serversOf(s).map((server) => detailRow(s, server))),
  ].join('\n');
}

export function machineLine(m: Machine, mode: Mode): string {
  return (
    `${m.cpuModel}, ${m.cores} cores, ${m.ramGb} GB RAM, Node ${m.node}, ${m.os}; ${m.date} (load average ${m.loadAvg1m.toFixed(2)} at start). ` +
    `Mode: ${mode.name} (${mode.rounds} A/B round(s)). Clients: autocannon ${m.autocannon} (uploads, highlight), ` +
    `${m.wrk ?? 'autocannon (wrk not installed)'} (downloads), open-loop node:http (latency).`
  );
}

export function markdown(r: BenchReport): string {
  const notes = r.scenarios.flatMap((s) => s.notes.map((note) => `- ${s.id}: ${note}`));
  return [
    '# lingo-server benchmark: latest results',
    '',
    machineLine(r.machine, r.mode),
    '',
    ...(r.problems.length ? ['**INVALID RUN:**', '', ...r.problems.map((p) => `- ${p}`), ''] : []),
    '## Targets',
    '',
    targetsTable(r),
    '',
    ...backendsSection(r.scenarios),
    '## Details (medians over rounds; MB = 10^6 bytes; CPU in % of one core)',
    '',
    detailsTable(r),
    '',
    '## Notes',
    '',
    ...notes,
    '',
  ].join('\n');
}

/** `base` is "latest" for complete full runs (latest-pg-s3 with `--backend`); quick and partial runs write "scratch". */
export function writeResults(r: BenchReport, dir: string, base: 'latest' | 'latest-pg-s3' | 'scratch'): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${base}.json`);
  const md = path.join(dir, `${base}.md`);
  fs.writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  fs.writeFileSync(md, markdown(r));
  return { json, md };
}

const startMarker = '<!-- results:start -->';
const endMarker = '<!-- results:end -->';

/**
 * Replaces the results section of bench/README.md with the machine and the targets table (full
 * runs only, so quick runs never land there); the medians per server stay in latest.md.
 */
export function updateReadme(readme: string, r: BenchReport): boolean {
  if (!fs.existsSync(readme)) return false;
  const text = fs.readFileSync(readme, 'utf8');
  const a = text.indexOf(startMarker);
  const b = text.indexOf(endMarker);
  if (a < 0 || b < a) return false;
  const section = [startMarker, '', machineLine(r.machine, r.mode), '', targetsTable(r), '', endMarker].join('\n');
  fs.writeFileSync(readme, text.slice(0, a) + section + text.slice(b + endMarker.length));
  return true;
}
