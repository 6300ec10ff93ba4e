import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workload = path.join(root, 'test/fixtures/scripts/pretenuring-workload.mjs');

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
    expect(tenureDecisions({ TUNE: path.join(root, 'src/cli/gc-tuning.ts') })).toBe(0);
  }, 30_000);
});
