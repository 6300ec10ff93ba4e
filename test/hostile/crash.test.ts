import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('crash test (scripts/crash-test.ts): SIGKILL mid-upload, restart, verify', () => {
  it('3 rounds: every acknowledged upload survives, fsck is clean, gc removes what the crashes left', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'scripts/crash-test.ts', '--rounds', '3', '--concurrency', '16'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const m = /crash-test: 3 rounds, (\d+) acknowledged, (\d+) verified, 0 lost/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(m![2]).toBe(m![1]);
  }, 120_000);
});
