import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/hostile.js';
import { cliFromSources, repoRoot as root, spawnServe } from '../helpers/serve-process.js';

const workload = path.join(root, 'test/fixtures/scripts/pretenuring-workload.mjs');
const growingWorkload = path.join(root, 'test/fixtures/scripts/heap-growing-workload.mjs');
const tune = { TUNE: path.join(root, 'src/cli/gc-tuning.ts') };

/** Runs a workload script (tuned first when `env` says TUNE) and returns what it printed. */
function runWorkload(nodeArgs: string[], script: string, env: Record<string, string>): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', ...nodeArgs, script], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('done');
  return run.stdout;
}

/** V8's pretenuring decisions for the workload, as --trace-pretenuring-statistics prints them. */
function tenureDecisions(env: Record<string, string>): number {
  return runWorkload(['--trace-pretenuring-statistics'], workload, env)
    .split('\n')
    .filter((line) => line.includes('=> tenure')).length;
}

/** The factors of the old-generation limits V8 set while the workload ran. */
function growingFactors(env: Record<string, string>): number[] {
  return limitFactors(runWorkload(['--expose-gc', '--max-old-space-size=128', '--trace-gc-verbose'], growingWorkload, env));
}

describe('tuneGarbageCollector', () => {
  it('turns allocation-site pretenuring off in a running process (a renamed flag would be ignored silently)', () => {
    // Without it, this Node pretenures the workload's literal: the test can see the difference.
    expect(tenureDecisions({})).toBeGreaterThan(0);
    expect(tenureDecisions(tune)).toBe(0);
  }, 30_000);

  it("fixes the old generation's growing factor at 4 (with a 128 MB heap limit V8 itself would pick 1.3)", () => {
    // A small heap limit caps V8's own factor well below 4, so the flag's effect shows in every limit it sets.
    expect(growingFactors({})).not.toContain(4);
    const tuned = growingFactors(tune);
    expect(tuned.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tuned)).toEqual(new Set([4]));
  }, 30_000);

  // The flags act on the server only if `serve` sets them: an idle server collects nothing, so a
  // preloaded handler forces three full collections once it listens.
  it('is in force in a running `lingo-server serve`', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-gc-'));
    try {
      const server = await spawnServe(cliFromSources, ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
        nodeArgs: ['--expose-gc', '--max-old-space-size=128', '--trace-gc-verbose', '--require', path.join(root, 'test/fixtures/scripts/collect-on-sigusr2.cjs')],
      });
      server.child.kill('SIGUSR2');
      await eventually(() => expect(server.stderr()).toContain('collected'), 10_000);
      await server.stop();
      // V8 prints its trace through C stdio, buffered apart from Node's own writes: only the
      // order of its own lines is certain. The last three are the forced collections.
      expect(limitFactors(server.stdout()).slice(-3)).toEqual([4, 4, 4]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

/** The factors of the old-generation limits in a --trace-gc-verbose output, in order. */
function limitFactors(stdout: string): number[] {
  return [...stdout.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)$/gm)].map((m) => Number(m[1]));
}
