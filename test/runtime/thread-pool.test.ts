import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envWith, launcher, repoRoot as root, spawnServe } from '../helpers/serve-process.js';

// The libuv pool size of bin/process-tuning.cjs, counted in /proc: libuv starts every pool
// thread at once, at first use, and start-up has used it by the time the server listens.

/** Starts `lingo-server serve` through the bin and counts the process's threads once it listens. */
async function threadsOfServingBin(env: NodeJS.ProcessEnv): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-launcher-'));
  try {
    const server = await spawnServe([launcher], ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], { env });
    const threads = fs.readdirSync(`/proc/${server.child.pid}/task`).length;
    await server.stop();
    return threads;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe.runIf(process.platform === 'linux')('process tuning: the libuv thread pool', () => {
  // libuv sizes its pool once, at first use, and loading ES modules uses it: only the CommonJS
  // bin runs early enough. 16 threads by default, 4 when the environment says 4.
  it('gives the server a 16-thread libuv pool unless UV_THREADPOOL_SIZE says otherwise', async () => {
    const withDefault = await threadsOfServingBin(envWith(undefined));
    const withFour = await threadsOfServingBin(envWith('4'));
    expect(withDefault - withFour).toBe(12);
  });

  it("leaves libuv's own 4 threads when LINGO_PROCESS_TUNING=off", async () => {
    const off = await threadsOfServingBin(envWith(undefined, 'off'));
    const withFour = await threadsOfServingBin(envWith('4'));
    expect(off).toBe(withFour);
  });

  // The bench runs its own build of main.js this way: an ES module entry, as dist/main.js is.
  it('preloaded with --require before an ES module entry, sizes the pool and runs nothing else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-launcher-'));
    const entry = path.join(dir, 'entry.mjs');
    // One file read on the pool (it exists by then anyway), then the thread count.
    fs.writeFileSync(
      entry,
      "import fs from 'node:fs';\nawait fs.promises.readFile(import.meta.filename);\nconsole.log(fs.readdirSync('/proc/self/task').length);\n",
    );
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
});
