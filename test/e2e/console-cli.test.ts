import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliFromSources, runCli, spawnServe } from '../helpers/serve-process.js';
import { startServer } from '../helpers/server.js';

const signIn = (baseUrl: string, token: string) =>
  fetch(`${baseUrl}/console/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ console_token: token }) });

describe('console sign-in from the command line', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-console-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('console token --json mints a token a running server on the data dir accepts; unknown tenants and bad TTLs are refused', async () => {
    const dataDir = tempDir();
    expect(runCli(['app', 'create', '--name', 'a', '--scopes', 'baike:entity', '--tenant', 'tenant_console', '--data-dir', dataDir]).status).toBe(0);
    const unknown = runCli(['console', 'token', '--tenant', 'no_such_tenant', '--data-dir', dataDir, '--json']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no app belongs to tenant no_such_tenant');
    expect(runCli(['console', 'token', '--tenant', 'tenant_console', '--ttl-seconds', '0', '--data-dir', dataDir]).status).toBe(2);
    const r = runCli(['console', 'token', '--tenant', 'tenant_console', '--ttl-seconds', '120', '--data-dir', dataDir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const issued = JSON.parse(r.stdout) as { console_token: string; expire: number };
    expect(issued).toEqual({ console_token: expect.stringMatching(/^lc-[A-Za-z0-9_-]{43}$/), expire: 120 });
    const server = await startServer({ dataDir });
    try {
      const res = await signIn(server.baseUrl, issued.console_token);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { tenant_key: string } }).data.tenant_key).toBe('tenant_console');
      // Only the hash is stored.
      expect(await server.app.glossary.findConsoleCredential(issued.console_token)).toBeUndefined();
    } finally {
      await server.app.close();
    }
  });

  it('serve on an empty data dir prints a sign-in URL for the default app’s tenant beside its credentials', async () => {
    const dataDir = tempDir();
    const server = await spawnServe(cliFromSources, ['--port', '0', '--log-level', 'silent'], { env: { ...process.env, LINGO_DATA_DIR: dataDir } });
    try {
      const out = server.stdout();
      expect(out).toMatch(/app_secret: +\S{32}/);
      const url = /(http:\/\/\S+\/console\/sign-in#token=(lc-[A-Za-z0-9_-]{43}))/.exec(out);
      expect(url, out).not.toBeNull();
      const res = await signIn(`http://127.0.0.1:${server.port}`, url![2]!);
      expect(res.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
