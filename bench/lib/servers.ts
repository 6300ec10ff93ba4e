import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppCredentials } from '../../src/auth/apps.js';
import type { ConfigInput } from '../../src/config/config.js';
import type { RequiredStep } from './baselines/steps.js';
import { embedded, openStores, type LingoVariant } from './lingo-backends.js';
import { createApps, storedFiles, type StoredFiles } from './lingo-data-dir.js';
import { readProc } from './proc.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A server under test, in its own process so that its RSS and CPU are its own. */
export interface ServerChild {
  readonly name: string;
  /** The first instance's. */
  readonly pid: number;
  readonly baseUrl: string;
  /**
   * Every process of the server: one, except a pg-s3 cluster (`--instances 2`), whose instances
   * share the stores. The load generators spread their connections over them; CPU counts them all.
   */
  readonly instances: ReadonlyArray<{ readonly pid: number; readonly baseUrl: string }>;
  /** VmHWM now: the peak RSS of the child's whole life (each scenario starts fresh children); of the largest instance. */
  peakRssBytes(): number;
  /** SIGTERM, wait for a clean exit (lingo drains in-flight requests), SIGKILL if it hangs. */
  stop(): Promise<void>;
}

export interface LingoServer extends ServerChild {
  readonly variant: LingoVariant;
  /** Notes on the stores, for the scenario's notes. */
  readonly storeNotes: readonly string[];
  readonly apps: AppCredentials[];
  /** One tenant access token per app, same order as `apps`. */
  readonly tokens: string[];
  /** File rows and their distinct blobs: proof that every acknowledged upload was really written. */
  storedFiles(): Promise<StoredFiles>;
}

const listening = /listening on (http:\/\/[^\s/]+)/;

/** Children not yet stopped: if the bench dies half-way, none of them is left running. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const buildDir = path.join(repoRoot, '.tmp/bench-build');
let building: Promise<void> | undefined;

/**
 * Compiles src/ and the baselines with tsc (the compiler options of `npm run build`) into
 * .tmp/bench-build, once per bench process, incrementally. Every server is measured as plain
 * JavaScript, as `npm start` runs lingo-server (bin/lingo-server.cjs loads dist/main.js), rather
 * than under tsx, whose loader thread and esbuild's `__name` wrapper around each closure are
 * costs no user pays (docs/performance.md#compiled-servers). run.ts starts it beside the image
 * generation; spawnServer() waits for it.
 */
export function buildServers(): Promise<void> {
  building ??= new Promise<void>((resolve, reject) => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    execFile(process.execPath, [tsc, '-p', path.join(repoRoot, 'bench/tsconfig.servers.json')], { cwd: repoRoot }, (err, stdout) => {
      if (err) reject(new Error(`compiling the servers failed:\n${stdout}`));
      else resolve();
    });
  });
  return building;
}

/** Starts `node <nodeArgs> <script, compiled> <args>` and waits for its "listening on" line. */
export async function spawnServer(name: string, script: string, args: string[], nodeArgs: string[] = []): Promise<ServerChild> {
  await buildServers();
  const compiled = path.join(buildDir, script.replace(/\.ts$/, '.js'));
  const child = spawn(process.execPath, [...nodeArgs, compiled, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-8000);
  });
  let stopping = false;
  const server = (baseUrl: string): ServerChild => ({
    name,
    pid: child.pid!,
    baseUrl,
    instances: [{ pid: child.pid!, baseUrl }],
    peakRssBytes: () => readProc(child.pid!)?.hwmBytes ?? 0,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  });
  return new Promise<ServerChild>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: no "listening on" line within 30 s\n${out}\n${stderr}`));
    }, 30_000);
    const onEarlyExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before listening (code ${code}, signal ${signal})\n${stderr}`));
    };
    child.once('exit', onEarlyExit);
    const onData = (c: Buffer): void => {
      out += c.toString('utf8');
      const m = listening.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume(); // keep draining, so a chatty child never blocks on a full pipe
      child.off('exit', onEarlyExit);
      // A server that dies mid-benchmark is a crash, not a slow result: say so at once.
      child.once('exit', (code, signal) => {
        if (stopping) return;
        process.stderr.write(`\n!! ${name} (pid ${child.pid}) exited during the benchmark: code ${code}, signal ${signal}\n${stderr}\n`);
        process.exitCode = 1;
      });
      resolve(server(m[1]!));
    };
    child.stdout.on('data', onData);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface LingoOptions {
  /** Scopes of every app (default: baike:entity, which uploads, downloads and reads the glossary). */
  scopes?: string[];
  /** Runs on the stores after the apps are created, before the server starts (the glossary's seed). */
  prepare?: (stores: ConfigInput, apps: AppCredentials[]) => Promise<void>;
  /** Which stores, how many instances (default: the embedded defaults, one process). */
  variant?: LingoVariant;
}

/**
 * lingo-server on fresh stores: by default its embedded defaults (segments and files for blobs,
 * SQLite for rows) in a temp data dir, rate limits off (the write tier too); or a variant's (see
 * lingo-backends.ts). Its apps are created before the children start (see lingo-data-dir.ts).
 */
export async function startLingo(appCount: number, nodeArgs: string[] = [], options: LingoOptions = {}): Promise<LingoServer> {
  const variant = options.variant ?? embedded;
  const stores = await openStores(variant);
  let started: ServerChild[] = [];
  try {
    const apps = await createApps(stores.settings(0), appCount, options.scopes);
    await options.prepare?.(stores.settings(0), apps);
    const spawnOne = (i: number): Promise<ServerChild> => {
      const args = ['serve', '--host', '127.0.0.1', '--port', '0', ...stores.serveFlags(i), '--log-level', 'silent'];
      // The bin's launcher, preloaded, sizes the libuv pool as `lingo-server` and `npm start` do.
      return spawnServer(variant.name, 'src/main.ts', args, ['--require', path.join(repoRoot, 'bin/lingo-server.cjs'), ...nodeArgs]);
    };
    const all = await Promise.allSettled(Array.from({ length: variant.instances }, (_, i) => spawnOne(i)));
    started = all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const server = cluster(variant.name, started);
    const tokens = await Promise.all(apps.map((a) => tenantToken(server.baseUrl, a)));
    return {
      ...server,
      variant,
      storeNotes: stores.notes,
      apps,
      tokens,
      storedFiles: () => storedFiles(stores.settings(0)),
      stop: async () => {
        await server.stop();
        // A leftover schema or bucket is not worth a scenario's figures: say so and go on.
        await stores.remove().catch((err: unknown) => process.stderr.write(`\n!! ${variant.name}: removing its stores failed: ${String(err)}\n`));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    await stores.remove();
    throw err;
  }
}

/** Instances as one server: the first's pid and URL, all of them in `instances`. */
function cluster(name: string, servers: readonly ServerChild[]): ServerChild {
  const first = servers[0];
  if (!first) throw new Error('a server of no instance');
  if (servers.length === 1) return first;
  return {
    name,
    pid: first.pid,
    baseUrl: first.baseUrl,
    instances: servers.flatMap((s) => s.instances),
    peakRssBytes: () => Math.max(...servers.map((s) => s.peakRssBytes())),
    stop: async () => void (await Promise.all(servers.map((s) => s.stop()))),
  };
}

/** The pids of every instance of `server`. */
export const pidsOf = (server: ServerChild): number[] => server.instances.map((i) => i.pid);

async function tenantToken(baseUrl: string, app: AppCredentials): Promise<string> {
  const res = await fetch(`${baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ app_id: app.app_id, app_secret: app.app_secret }),
  });
  const body = (await res.json()) as { code?: number; tenant_access_token?: string };
  if (body.code !== 0 || !body.tenant_access_token) throw new Error(`tenant token for ${app.app_id}: ${JSON.stringify(body)}`);
  return body.tenant_access_token;
}

export function startJsonAnswer(): Promise<ServerChild> {
  return spawnServer('json-answer', 'bench/lib/baselines/json-answer.ts', ['--port', '0']);
}

export function startReceive(): Promise<ServerChild> {
  return spawnServer('receive', 'bench/lib/baselines/receive.ts', ['--port', '0']);
}

export function startServe(file: string, contentType: string): Promise<ServerChild> {
  return spawnServer('serve', 'bench/lib/baselines/serve.ts', ['--port', '0', '--file', file, '--content-type', contentType]);
}

/** `steps`: the required work to add (see baselines/steps.ts and durable-receive.ts), none by default. */
export function startDurableReceive(steps: readonly RequiredStep[] = []): Promise<ServerChild> {
  const name = ['durable-receive', ...steps].join('+');
  return spawnServer(name, 'bench/lib/baselines/durable-receive.ts', ['--port', '0', '--steps', steps.join(',')]);
}
