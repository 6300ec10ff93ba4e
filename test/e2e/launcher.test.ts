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
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (out.includes('listening on')) resolve();
      });
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.once('exit', (code) => reject(new Error(`the bin exited (${code}) before listening (is dist/ built?):\n${err}`)));
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

  // The bench runs its own build of main.js this way: an ES module entry, as dist/main.js is.
  it.runIf(process.platform === 'linux')('preloaded with --require before an ES module entry, sizes the pool and runs nothing else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-launcher-'));
    const entry = path.join(dir, 'entry.mjs');
    // One file read on the pool (it exists by then anyway), then the thread count.
    fs.writeFileSync(entry, "import fs from 'node:fs';\nawait fs.promises.readFile(import.meta.filename);\nconsole.log(fs.readdirSync('/proc/self/task').length);\n");
    try {
      const threads = (args: string[]): number => {
        const r = spawnSync(process.execPath, [...args, entry], { cwd: root, encoding: 'utf8', env: envWith(undefined) });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^\d+\n$/); // the CLI did not run: it would have printed usage
        return Number(r.stdout);
      };
      expect(threads(['--require', launcher]) - threads([])).toBe(12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes an empty UV_THREADPOOL_SIZE as unset (libuv would run one thread)', () => {
    const r = spawnSync(process.execPath, ['--require', launcher, '-e', 'console.log(process.env.UV_THREADPOOL_SIZE)'], { cwd: root, encoding: 'utf8', env: envWith('') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('16\n');
  });
});
