import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/hostile.js';
import { launcher, repoRoot as root, spawnServe } from '../helpers/serve-process.js';

// The V8 flags of bin/process-tuning.cjs, read back from V8's own traces: a renamed or ignored
// flag would change nothing else that a test can see.

const fixture = (name: string): string => path.join(import.meta.dirname, 'fixtures', name);

/** How a workload runs: as plain node, tuned as the bin tunes, or through the bin with tuning turned off. */
type Tuning = 'untuned' | 'tuned' | 'off';

function tuningArgs(tuning: Tuning): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  delete env.LINGO_PROCESS_TUNING;
  if (tuning === 'off') env.LINGO_PROCESS_TUNING = 'off';
  return { nodeArgs: tuning === 'untuned' ? [] : ['--require', launcher], env };
}

/** Runs a workload script and returns what it printed. */
function runWorkload(tuning: Tuning, traceArgs: string[], script: string): string {
  const { nodeArgs, env } = tuningArgs(tuning);
  const run = spawnSync(process.execPath, [...nodeArgs, ...traceArgs, script], { cwd: root, env, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('done');
  return run.stdout;
}

/** V8's pretenuring decisions for the workload, as --trace-pretenuring-statistics prints them. */
function tenureDecisions(tuning: Tuning): number {
  return runWorkload(tuning, ['--trace-pretenuring-statistics'], fixture('pretenuring-workload.mjs'))
    .split('\n')
    .filter((line) => line.includes('=> tenure')).length;
}

/** The factors of the old-generation limits V8 set while the workload ran. */
function growingFactors(tuning: Tuning): number[] {
  return limitFactors(runWorkload(tuning, ['--expose-gc', '--max-old-space-size=128', '--trace-gc-verbose'], fixture('heap-growing-workload.mjs')));
}

describe('process tuning: V8 flags', () => {
  it('turns allocation-site pretenuring off (a renamed flag would be ignored silently)', () => {
    // Without it, this Node pretenures the workload's literal: the test can see the difference.
    expect(tenureDecisions('untuned')).toBeGreaterThan(0);
    expect(tenureDecisions('tuned')).toBe(0);
    expect(tenureDecisions('off')).toBeGreaterThan(0);
  }, 60_000);

  it("fixes the old generation's growing factor at 4 (with a 128 MB heap limit V8 itself would pick 1.3)", () => {
    // A small heap limit caps V8's own factor well below 4, so the flag's effect shows in every limit it sets.
    expect(growingFactors('untuned')).not.toContain(4);
    const tuned = growingFactors('tuned');
    expect(tuned.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tuned)).toEqual(new Set([4]));
    expect(growingFactors('off')).not.toContain(4);
  }, 60_000);

  // The flags act on the server only if the bin sets them before `serve` runs: an idle server
  // collects nothing, so a preloaded handler forces three full collections once it listens.
  it('is in force in a running `lingo-server serve` started through the bin', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-gc-'));
    try {
      const { env } = tuningArgs('tuned');
      const server = await spawnServe([launcher], ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
        env,
        nodeArgs: ['--expose-gc', '--max-old-space-size=128', '--trace-gc-verbose', '--require', fixture('collect-on-sigusr2.cjs')],
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
