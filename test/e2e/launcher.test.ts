import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envWith, launcher, repoRoot as root } from '../helpers/serve-process.js';

// What the bin does to the process is checked from inside (thread counts, V8 traces) by
// `npm run test:runtime` (test/runtime/); these check what it runs and what it sets.

/** UV_THREADPOOL_SIZE as a process preloaded with the bin sees it ('undefined' when unset). */
function poolSizeAfterBin(env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, ['--require', launcher, '-e', 'console.log(String(process.env.UV_THREADPOOL_SIZE))'], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('the lingo-server bin (bin/lingo-server.cjs)', () => {
  it('runs the CLI built in dist/', () => {
    const r = spawnSync(process.execPath, [launcher, '--help'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lingo-server/m);
  });

  it('sets UV_THREADPOOL_SIZE to 16 unless the environment gives one', () => {
    expect(poolSizeAfterBin(envWith(undefined))).toBe('16');
    expect(poolSizeAfterBin(envWith('4'))).toBe('4');
  });

  it('takes an empty UV_THREADPOOL_SIZE as unset (libuv would run one thread)', () => {
    expect(poolSizeAfterBin(envWith(''))).toBe('16');
  });

  it('leaves the environment alone when LINGO_PROCESS_TUNING=off', () => {
    expect(poolSizeAfterBin(envWith(undefined, 'off'))).toBe('undefined');
    expect(poolSizeAfterBin(envWith(undefined, 'on'))).toBe('16');
  });
});
