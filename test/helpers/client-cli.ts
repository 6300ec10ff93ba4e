import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cliFromSources, repoRoot, type CliResult } from './serve-process.js';

/**
 * `lingo-server <args>` from the sources, as a process, without blocking this one: the client
 * commands talk to a server that runs in the test process (runCli's spawnSync would starve it).
 * stdout and stderr are pipes, so the commands print one line per item and no progress bar.
 */
export function runCliAsync(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  const child = spawn(process.execPath, [...cliFromSources, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

/** The `--server --app-id --app-secret` arguments of a client command. */
export function serverArgs(baseUrl: string, creds: { app_id: string; app_secret: string }): string[] {
  return ['--server', baseUrl, '--app-id', creds.app_id, '--app-secret', creds.app_secret];
}

export interface FaultyProxy {
  baseUrl: string;
  /** Requests that matched and were answered by the proxy itself. */
  faulted: number;
  /** Requests that matched but were passed through (the faults were used up). */
  passed: number;
  /** Every request's path (without the query), in order. */
  paths: string[];
  close(): Promise<void>;
}

export interface Fault {
  /** Which requests the fault applies to. */
  matches: (method: string, path: string) => boolean;
  /** How many of them get the fault answer before the rest pass through. */
  times: number;
  status: number;
  body: Record<string, unknown>;
}

/** The answer of a server whose store fails: 500, Feishu code 2250002. */
export const busyAnswer = { status: 500, body: { code: 2250002, msg: 'network anomaly, please try again', error: { log_id: 'proxy' } } };

/** Upload requests: POST /open-apis/lingo/v1/files/upload. */
export const isUpload = (method: string, path: string): boolean => method === 'POST' && path === '/open-apis/lingo/v1/files/upload';

/**
 * A real HTTP hop in front of `targetBaseUrl` that answers the first `fault.times` requests that
 * match with `fault.status` and `fault.body` (after reading their body, as a server would), and
 * passes every other request through unchanged.
 */
export async function faultyProxy(targetBaseUrl: string, fault: Fault): Promise<FaultyProxy> {
  const target = new URL(targetBaseUrl);
  const state = { faulted: 0, passed: 0, paths: [] as string[] };
  const server = http.createServer((req, res) => {
    const reqPath = (req.url ?? '/').split('?', 1)[0]!;
    state.paths.push(reqPath);
    const matches = fault.matches(req.method ?? 'GET', reqPath);
    if (matches && state.faulted < fault.times) {
      state.faulted++;
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify(fault.body);
        res.writeHead(fault.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
      });
      return;
    }
    if (matches) state.passed++;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get faulted() {
      return state.faulted;
    },
    get passed() {
      return state.passed;
    },
    paths: state.paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
