import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const launcher = path.join(root, 'bin/lingo-server.cjs');

/** The launcher's environment with UV_THREADPOOL_SIZE as given (unset when undefined). */
function envWith(poolSize: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  if (poolSize !== undefined) env.UV_THREADPOOL_SIZE = poolSize;
  return env;
}

/** Starts `lingo-server serve` through the bin and counts the process's threads once it listens. */
async function threadsOfServingBin(poolSize: string | undefined): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-launcher-'));
  const child = spawn(process.execPath, [launcher, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
    cwd: root,
    env: envWith(poolSize),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (out.includes('listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the bin exited (${code}) before listening`)));
    });
    // libuv starts every pool thread at once, at first use, and start-up has used it by now.
    return fs.readdirSync(`/proc/${child.pid}/task`).length;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('close', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('the lingo-server bin (bin/lingo-server.cjs)', () => {
  it('runs the CLI built in dist/', () => {
    const r = spawnSync(process.execPath, [launcher, '--help'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lingo-server/m);
  });

  // libuv sizes its pool once, at first use, and loading ES modules uses it: only the CommonJS
  // launcher runs early enough. 16 threads by default, 4 when the environment says 4.
  it.runIf(process.platform === 'linux')('gives the server a 16-thread libuv pool unless UV_THREADPOOL_SIZE says otherwise', async () => {
    const withDefault = await threadsOfServingBin(undefined);
    const withFour = await threadsOfServingBin('4');
    expect(withDefault - withFour).toBe(12);
  });

  it('preloaded with --require, only sets the pool size (the bench runs its own build that way)', () => {
    const r = spawnSync(process.execPath, ['--require', launcher, '-e', 'console.log(process.env.UV_THREADPOOL_SIZE)'], { cwd: root, encoding: 'utf8', env: envWith(undefined) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('16\n');
  });
});
