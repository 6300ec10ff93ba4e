import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The package's bin, as users run it. */
export const launcher = path.join(repoRoot, 'bin/lingo-server.cjs');

/** The environment with UV_THREADPOOL_SIZE and LINGO_PROCESS_TUNING as given (unset when undefined). */
export function envWith(poolSize: string | undefined, tuning?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  delete env.LINGO_PROCESS_TUNING;
  if (poolSize !== undefined) env.UV_THREADPOOL_SIZE = poolSize;
  if (tuning !== undefined) env.LINGO_PROCESS_TUNING = tuning;
  return env;
}

/** `lingo-server` from the sources, as the CLI tests run it. */
export const cliFromSources = ['--import', 'tsx', path.join(repoRoot, 'src/main.ts')];

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `lingo-server <args>` from the sources to its end, in `env` (default: this process's). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliResult {
  const r = spawnSync(process.execPath, [...cliFromSources, ...args], { cwd: repoRoot, encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/**
 * Spawns `node <nodeArgs> <entry> serve <serveArgs>` (`entry` is the CLI: the sources under tsx,
 * or the bin) and resolves once it prints its "listening on" line.
 */
export function spawnServe(entry: string[], serveArgs: string[], options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, 'serve', ...serveArgs], {
    cwd: repoRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // 'close' waits for the pipes too, so stdout() is complete once stop() resolves.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise<ServeProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within 20 s:\n${out}\n${err}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${err}`));
    });
    child.stdout!.on('data', () => {
      const m = /listening on http:\/\/\S+:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        port: Number(m[1]),
        stdout: () => out,
        stderr: () => err,
        stop: () => {
          child.kill('SIGTERM');
          return closed;
        },
      });
    });
  });
}
