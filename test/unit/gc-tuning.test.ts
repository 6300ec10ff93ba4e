import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workload = path.join(root, 'test/fixtures/scripts/pretenuring-workload.mjs');
const growingWorkload = path.join(root, 'test/fixtures/scripts/heap-growing-workload.mjs');
const tune = { TUNE: path.join(root, 'src/cli/gc-tuning.ts') };

/** V8's pretenuring decisions for the workload, as --trace-pretenuring-statistics prints them. */
function tenureDecisions(env: Record<string, string>): number {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--trace-pretenuring-statistics', workload], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('done');
  return run.stdout.split('\n').filter((line) => line.includes('=> tenure')).length;
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
});

/** The factors of the old-generation limits V8 set while the workload ran (--trace-gc-verbose). */
function growingFactors(env: Record<string, string>): number[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--max-old-space-size=128', '--trace-gc-verbose', growingWorkload], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('done');
  return [...run.stdout.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)$/gm)].map((m) => Number(m[1]));
}
