import autocannon from 'autocannon';
import { paths, uploadSuccess } from '../config.js';
import { neighbourStats, openWindow } from '../proc.js';
import { pidsOf, type ServerChild } from '../servers.js';
import { MB, type RunStats } from '../stats.js';
import type { UploadBody } from '../multipart.js';

export interface CannonRun {
  server: ServerChild;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationS?: number;
  /** Total requests, then stop (the memory scenario's fixed waves). */
  amount?: number;
  timeoutS?: number;
  path: string;
  headers: Record<string, string>;
  /** POST this body, with fresh trailing bytes on every request. */
  upload?: UploadBody;
  /** POST these JSON bodies in turn, one per request (the same rotation on every server). */
  json?: readonly Buffer[];
  /** Responses must contain this to count as a success (lingo answers some errors with HTTP 200). */
  expectInBody?: string;
}

/**
 * One autocannon run in this process, with the client's own CPU measured (autocannon is a single
 * JS thread: near 100 % means the client, not the server, set the pace) and the server sampled.
 */
export async function runCannon(run: CannonRun): Promise<RunStats> {
  const { upload, json, expectInBody } = run;
  const request: autocannon.Request = { method: upload || json ? 'POST' : 'GET', path: run.path, headers: { ...run.headers } };
  if (json) {
    request.headers = { ...run.headers, 'Content-Type': 'application/json' };
    let next = 0;
    request.setupRequest = (req) => ({ ...req, body: json[next++ % json.length] });
  }
  if (upload) {
    request.headers = { ...run.headers, 'Content-Type': upload.contentType };
    // Called per request; autocannon copies the body into the request buffer before returning.
    request.setupRequest = (req) => ({ ...req, body: upload.nextShared() });
  }
  // Counted here rather than with verifyBody, which also fires for non-2xx and would count them twice.
  let ok = 0;
  let errorBodies = 0;
  request.onResponse = (status, body) => {
    if (status < 200 || status > 299) return;
    if (!expectInBody || body.includes(expectInBody)) ok++;
    else errorBodies++;
  };
  const opts: autocannon.Options = {
    // A cluster's instances each get an equal share of the connections (autocannon: url[i % n]).
    url: run.server.instances.map((i) => i.baseUrl),
    connections: run.connections,
    timeout: run.timeoutS ?? 30,
    requests: [request],
  };
  if (run.amount !== undefined) opts.amount = run.amount;
  else opts.duration = run.durationS ?? 5;

  const meter = openWindow(pidsOf(run.server));
  const result = await new Promise<autocannon.Result>((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
  const w = meter.stop();

  const responses = Object.values(result.statusCodeStats).reduce((a, s) => a + s.count, 0);
  const statusCounts: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats)) statusCounts[code] = s.count;
  if (errorBodies) statusCounts['2xx-with-error-body'] = errorBodies;
  if (result.errors) statusCounts['conn-errors'] = result.errors;
  // A fixed-amount run ends when its last response lands; a timed run is measured over its duration.
  const durationS = run.amount !== undefined ? w.wallS : result.duration;
  return {
    server: run.server.name,
    client: 'autocannon',
    durationS,
    requests: responses,
    ok,
    bad: responses - ok + result.errors,
    reqPerSec: ok / durationS,
    mbPerSec: upload ? (ok * upload.fileBytes) / MB / durationS : result.throughput.total / MB / durationS,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    clientCpuPct: (w.clientCpuS / w.wallS) * 100,
    serverCpuPct: (w.serverCpuS / w.wallS) * 100,
    ...neighbourStats(w),
    serverRssMb: w.serverPeakRssBytes / MB,
    statusCounts,
  };
}

/**
 * A closed loop of uploads to the upload path, each answer checked for success. `token` is
 * lingo-server's; the baselines ignore it, but the scenarios send the same header to every side.
 */
export function runUploads(run: { server: ServerChild; upload: UploadBody; connections: number; durationS: number; token: string }): Promise<RunStats> {
  return runCannon({
    server: run.server,
    connections: run.connections,
    durationS: run.durationS,
    path: paths.upload,
    headers: { Authorization: `Bearer ${run.token}` },
    upload: run.upload,
    expectInBody: uploadSuccess,
  });
}
