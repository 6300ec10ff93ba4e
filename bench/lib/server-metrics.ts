import type { ServerChild } from './servers.js';

/**
 * Where a lingo-server's time per request goes, from its own GET /metrics: scraped before and
 * after the measured runs (every instance, summed; each time once the server's storage calls
 * have settled), the differences of each storage call's histogram
 * (`lingo_backend_call_duration_seconds`, by store, backend and method) divided by the requests
 * in between, whatever their status: a request cut off when a run ended (status `aborted`) made
 * calls too. The time of a request is the mean of the answered ones (status 200).
 */

/** Count and sum (seconds) of one histogram series. */
interface Series {
  count: number;
  sumS: number;
}

export interface MetricsSnapshot {
  /** `store backend method` → series. */
  calls: Map<string, Series>;
  /** The operation's requests, every status. */
  requests: Series;
  /** Those answered with status 200. */
  answered: Series;
}

export interface CallShare {
  store: string;
  backend: string;
  method: string;
  callsPerRequest: number;
  /** Mean wall time of one call. */
  msPerCall: number;
  /** msPerCall × callsPerRequest: what this call adds to one request, on average. */
  msPerRequest: number;
}

export interface Breakdown {
  server: string;
  operation: string;
  requests: number;
  answered: number;
  /** Mean wall time of one answered request, head to end of the answer. */
  msPerRequest: number;
  /** Largest share first; calls made less than once per 100 requests are left out. */
  calls: CallShare[];
}

const backendCall = 'lingo_backend_call_duration_seconds';
const request = 'lingo_http_request_duration_seconds';
const line = /^(\w+)\{([^}]*)\}\s+(\S+)$/;

function labelsOf(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** Adds one server's exposition text into `into`. */
function parse(text: string, operation: string, into: MetricsSnapshot): void {
  for (const raw of text.split('\n')) {
    const m = line.exec(raw);
    if (!m) continue;
    const [, name, labelText, valueText] = m;
    const value = Number(valueText);
    const field = name!.endsWith('_sum') ? 'sumS' : name!.endsWith('_count') ? 'count' : undefined;
    if (!field || !Number.isFinite(value)) continue;
    const base = name!.slice(0, name!.lastIndexOf('_'));
    const labels = labelsOf(labelText!);
    if (base === backendCall) {
      const key = `${labels.store} ${labels.backend} ${labels.method}`;
      const series = into.calls.get(key) ?? { count: 0, sumS: 0 };
      series[field] += value;
      into.calls.set(key, series);
    } else if (base === request && labels.operation === operation) {
      into.requests[field] += value;
      if (labels.status === '200') into.answered[field] += value;
    }
  }
}

/** One scrape of every instance of `server`, summed. */
async function scrapeOnce(server: ServerChild, operation: string): Promise<MetricsSnapshot> {
  const snapshot: MetricsSnapshot = { calls: new Map(), requests: { count: 0, sumS: 0 }, answered: { count: 0, sumS: 0 } };
  for (const instance of server.instances) {
    const res = await fetch(`${instance.baseUrl}/metrics`);
    if (!res.ok) throw new Error(`${server.name}: GET /metrics answered ${res.status}`);
    parse(await res.text(), operation, snapshot);
  }
  return snapshot;
}

const callCount = (s: MetricsSnapshot): number => [...s.calls.values()].reduce((n, c) => n + c.count, 0) + s.requests.count;

/**
 * A scrape once the calls of requests a run cut off have ended (a large upload's PUT goes on
 * after its client left): the first of two, 250 ms apart, that count the same calls; within 10 s.
 */
export async function scrapeMetrics(server: ServerChild, operation: string): Promise<MetricsSnapshot> {
  let last = await scrapeOnce(server, operation);
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await scrapeOnce(server, operation);
    if (callCount(next) === callCount(last)) return last;
    last = next;
  }
  return last;
}

export function breakdown(server: string, operation: string, before: MetricsSnapshot, after: MetricsSnapshot): Breakdown {
  const requests = after.requests.count - before.requests.count;
  const answered = after.answered.count - before.answered.count;
  const per = (v: number): number => (requests > 0 ? v / requests : NaN);
  const calls: CallShare[] = [];
  for (const [key, a] of after.calls) {
    const b = before.calls.get(key) ?? { count: 0, sumS: 0 };
    const count = a.count - b.count;
    if (count <= 0 || per(count) < 0.01) continue;
    const [store, backend, method] = key.split(' ') as [string, string, string];
    const sumMs = (a.sumS - b.sumS) * 1000;
    calls.push({ store, backend, method, callsPerRequest: per(count), msPerCall: sumMs / count, msPerRequest: per(sumMs) });
  }
  calls.sort((x, y) => y.msPerRequest - x.msPerRequest);
  const msPerRequest = answered > 0 ? ((after.answered.sumS - before.answered.sumS) * 1000) / answered : NaN;
  return { server, operation, requests, answered, msPerRequest, calls };
}

const ms = (v: number): string => (v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * The same time by system, for a server on S3 (undefined otherwise): the S3 requests, the
 * PostgreSQL statements (ledger, rows, tokens; waits for a pool connection included), Redis, the
 * body's reception and checks (blob.stage: it consumes the request as the client sends it), and
 * the rest (HTTP, routing, the answer, and waiting for the event loop). Only innermost calls are
 * added up: blob.publish and blob.get hold S3 requests, ledger statements and the row's insert.
 */
export function systemsNote(b: Breakdown, what: string): string | undefined {
  if (!b.calls.some((c) => c.store === 's3')) return undefined;
  const sum = (pick: (c: CallShare) => boolean): number => b.calls.filter(pick).reduce((a, c) => a + c.msPerRequest, 0);
  const list = (pick: (c: CallShare) => boolean): string =>
    b.calls
      .filter(pick)
      .map((c) => `${c.method} ${ms(c.msPerRequest)}`)
      .join(', ');
  const s3 = (c: CallShare) => c.store === 's3';
  const ledger = (c: CallShare) => c.store === 'ledger';
  const rows = (c: CallShare) => c.backend === 'postgres' && c.store !== 'ledger';
  const redis = (c: CallShare) => c.store === 'ratelimit';
  const stage = (c: CallShare) => c.store === 'blob' && c.method === 'stage';
  const rest = b.msPerRequest - sum((c) => s3(c) || ledger(c) || rows(c) || redis(c) || stage(c));
  return (
    `${b.server}, one ${what} (${ms(b.msPerRequest)} ms) by system: S3 ${ms(sum(s3))} ms (${list(s3)}); ` +
    `PostgreSQL ${ms(sum(ledger) + sum(rows))} ms (ledger: ${list(ledger) || 'none'}; rows: ${list(rows) || 'none'}); Redis ${ms(sum(redis))} ms; ` +
    `receiving and checking the body ${ms(sum(stage))} ms; the rest (HTTP, auth, the answer, waiting for the event loop) ` +
    // Negative when the calls of requests cut off at a run's end (in the calls, not in the answered mean) outweigh it.
    (rest >= 0 ? `${ms(rest)} ms.` : `about 0 ms (the calls add up to ${ms(-rest)} ms more, with those of requests cut off at a run's end).`)
  );
}

/**
 * One line: "lingo pg-s3, per upload (12.3 ms end to end, 5,000 uploads): blob.publish 8.1 ms
 * (1 call, 8.1 ms each), meta.insertFile 2.0 ms, …". Nested calls are listed as the server made
 * them: on S3, blob.publish includes the ledger statements, the PUT and the row's insert.
 */
export function breakdownNote(b: Breakdown, what: string): string {
  const f = ms;
  const calls = b.calls.map((c) => {
    const times = Math.abs(c.callsPerRequest - 1) < 0.005 ? '' : ` (${c.callsPerRequest.toFixed(2)} calls of ${f(c.msPerCall)} ms)`;
    return `${c.store}.${c.method} [${c.backend}] ${f(c.msPerRequest)} ms${times}`;
  });
  return (
    `${b.server}, where the time of one ${what} goes (its /metrics over the measured runs: ${b.requests.toLocaleString('en-US')} requests, ` +
    `${b.answered.toLocaleString('en-US')} answered 200 in ` +
    `${f(b.msPerRequest)} ms each on average, head to end of answer): ${calls.join(', ') || 'no storage call'}.`
  );
}
