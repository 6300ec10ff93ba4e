import type { ScenarioResult, ServerSummary } from './scenarios/common.js';
import { systemsNote } from './server-metrics.js';

/**
 * The Markdown of `--backend` runs: each scenario's figure for the embedded lingo-server beside
 * the other backends' (and the baseline), then where each lingo-server's time per upload went,
 * from its own /metrics. Nothing when the run had neither.
 */

const num = (v: number, digits: number): string =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** Each scenario's compared figure, with its unit. */
function figure(s: ScenarioResult, server: ServerSummary): string {
  if (s.id === 'large-uploads') return `${num(server.median.mbPerSec, 1)} MB/s`;
  if (s.id === 'memory') return `${num(server.peakRssMb, 0)} MB peak`;
  if (s.id === 'latency') return `p99 ${num(server.median.latencyMs.p99, 1)} ms (p50 ${num(server.median.latencyMs.p50, 1)})`;
  return `${num(server.median.reqPerSec, 0)} req/s`;
}

function ratio(s: ScenarioResult, server: ServerSummary): number {
  if (s.id === 'large-uploads') return server.median.mbPerSec / s.lingo.median.mbPerSec;
  if (s.id === 'memory') return server.peakRssMb / s.lingo.peakRssMb;
  if (s.id === 'latency') return server.median.latencyMs.p99 / s.lingo.median.latencyMs.p99;
  return server.median.reqPerSec / s.lingo.median.reqPerSec;
}

export function backendsTable(scenarios: readonly ScenarioResult[]): string {
  const names = [...new Set(scenarios.flatMap((s) => (s.backends ?? []).map((b) => b.name)))];
  const rows = scenarios
    .filter((s) => s.backends?.length)
    .map((s) => {
      const cells = names.map((name) => {
        const b = s.backends!.find((x) => x.name === name);
        return b ? `${figure(s, b)}; ${num(ratio(s, b), 2)}×` : '–';
      });
      return `| ${s.id} | ${figure(s, s.lingo)} | ${cells.join(' | ')} | ${figure(s, s.baseline)} (${s.baseline.name}) |`;
    });
  return [
    `| Scenario | lingo-server (embedded) | ${names.map((x) => `${x}; × embedded`).join(' | ')} | Baseline |`,
    `|---|---:|${names.map(() => '---:').join('|')}|---:|`,
    ...rows,
  ].join('\n');
}

export function breakdownTable(scenarios: readonly ScenarioResult[]): string {
  const rows = scenarios.flatMap((s) =>
    (s.breakdowns ?? []).flatMap((b) =>
      b.calls.map(
        (c, i) =>
          `| ${i === 0 ? `${s.id} | ${b.server} | ${num(b.msPerRequest, 2)} ms` : ' | | '} | ${c.store}.${c.method} (${c.backend}) | ` +
          `${num(c.callsPerRequest, 2)} | ${num(c.msPerCall, 2)} | ${num(c.msPerRequest, 2)} | ${num((100 * c.msPerRequest) / b.msPerRequest, 0)} % |`,
      ),
    ),
  );
  return [
    '| Scenario | Server | per request, head to end of answer | storage call | calls per request | ms per call | ms per request | of the request |',
    '|---|---|---:|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** The section's lines, each table followed by a blank line. */
export function backendsSection(scenarios: readonly ScenarioResult[]): string[] {
  const out: string[] = [];
  if (scenarios.some((s) => s.backends?.length)) {
    out.push("## Backends (medians; × embedded: this figure over the embedded lingo-server's in the same run)", '', backendsTable(scenarios), '');
  }
  if (scenarios.some((s) => s.breakdowns?.length)) {
    out.push(
      "## Where the time goes (each lingo-server's /metrics over the measured runs, means per request)",
      '',
      'Calls overlap: on S3, blob.publish holds the ledger statements, the PUT and meta.insertFile; on the embedded ' +
        "store a small upload's row is journaled with its blob and meta.insertFile runs after the answer.",
      '',
      breakdownTable(scenarios),
      '',
      ...scenarios
        .flatMap((s) => (s.breakdowns ?? []).map((b) => systemsNote(b, s.id === 'downloads' ? 'download' : 'upload')))
        .flatMap((x) => (x ? [`- ${x}`] : [])),
      '',
    );
  }
  return out;
}
