import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithServices } from '../helpers/services.js';

const root = path.resolve(import.meta.dirname, '../..');

function crashTest(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/crash-test.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Asserts a clean run of `rounds` rounds on `backend` that acknowledged and verified every upload
 * and every entity create, and found no entity half-written.
 */
function expectNothingLost(run: { code: number | null; stdout: string; stderr: string }, rounds: number, backend: string): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  const m = new RegExp(
    `crash-test: ${rounds} rounds, (\\d+) acknowledged, (\\d+) verified, 0 lost; ` +
      `entities: (\\d+) acknowledged, (\\d+) verified, 0 lost, 0 torn \\(backend ${backend}`,
  ).exec(run.stdout);
  expect(m, run.stdout).not.toBeNull();
  expect(Number(m![1])).toBeGreaterThan(0);
  expect(m![2]).toBe(m![1]);
  expect(Number(m![3])).toBeGreaterThan(0);
  expect(m![4]).toBe(m![3]);
}

describe('crash test (scripts/crash-test.ts): SIGKILL mid-upload and mid-entity-write, restart, verify', () => {
  it('3 rounds: every acknowledged upload and entity survives whole, fsck is clean, gc removes what the crashes left', async () => {
    expectNothingLost(await crashTest(['--rounds', '3', '--concurrency', '16']), 3, 'embedded');
  }, 120_000);
});

describeWithServices(['postgres', 'redis', 's3'], 'crash test on two instances sharing PostgreSQL + S3 + Redis', () => {
  it('3 rounds, one instance killed in turn: nothing acknowledged is lost on either instance', async () => {
    expectNothingLost(await crashTest(['--backend', 'pg-s3', '--rounds', '3', '--concurrency', '16']), 3, 'pg-s3');
  }, 180_000);
});
