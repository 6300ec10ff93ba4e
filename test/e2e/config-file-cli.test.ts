import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/free-port.js';
import { cliFromSources, runCli, spawnServe, type CliResult } from '../helpers/serve-process.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

/** The environment without any LINGO_ setting of the caller's, plus `env`. */
function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LINGO_')));
  return { ...out, ...env };
}
const cli = (args: string[], env: Record<string, string> = {}): CliResult => runCli(args, cleanEnv(env));

let dir: string;
beforeAll(() => {
  dir = makeTempDir('config-cli');
});
afterAll(() => removeDir(dir));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('lingo-server --config FILE', () => {
  it('serve with a bad value in the file exits 2 naming the key, the file and what is allowed', () => {
    const bad = file('bad.toml', 'port = 8080\nrate-limit-per-minute = -5\n');
    const r = cli(['serve', '--config', bad, '--data-dir', path.join(dir, 'never')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`lingo-server: "rate-limit-per-minute" in ${bad} must be a whole number from 0 to 1000000000, got "-5"\n`);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('serve with an unknown key (LINGO_CONFIG) exits 2 naming it', () => {
    const unknown = file('unknown.json', '{"port": 8080, "max-upload-bytes": 10}');
    const r = cli(['serve'], { LINGO_CONFIG: unknown });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^lingo-server: ${unknown}: unknown key "max-upload-bytes"; the keys are `));
  });

  it('config print shows the file as the source of its values, below env and flags, secrets redacted', () => {
    const toml = file('print.toml', ['port = 9100', 'log-level = "warn"', 'redis-url = "redis://:s3cret@cache:6379/2"', 'shutdown-grace-ms = 5'].join('\n'));
    const r = cli(['config', 'print', '--json', '--config', toml, '--shutdown-grace-ms', '7'], { LINGO_LOG_LEVEL: 'error' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('s3cret');
    const printed = JSON.parse(r.stdout) as Record<string, { value: unknown; source: string }>;
    expect(printed.config).toMatchObject({ value: toml, source: 'flag' });
    expect(printed.port).toMatchObject({ value: 9100, source: 'file' });
    expect(printed.redisUrl).toMatchObject({ value: 'redis://:***@cache:6379/2', source: 'file' });
    expect(printed.logLevel).toMatchObject({ value: 'error', source: 'env' });
    expect(printed.shutdownGraceMs).toMatchObject({ value: 7, source: 'flag' });
    expect(printed.host).toMatchObject({ source: 'default' });

    const text = cli(['config', 'print', '--config', toml]);
    expect(text.stdout).toMatch(/^--port +9100 +file$/m);
    expect(text.stdout).not.toContain('s3cret');
  });

  it('serve takes its port and data dir from the file', async () => {
    const port = await freePort();
    const dataDir = path.join(dir, 'served');
    const toml = file('serve.toml', `port = ${port}\ndata-dir = "${dataDir}"\nlog-level = "silent"\n`);
    const server = await spawnServe(cliFromSources, ['--config', toml], { env: cleanEnv() });
    try {
      expect(server.port).toBe(port);
      expect((await request(`http://127.0.0.1:${port}`, { path: '/healthz' })).status).toBe(200);
      expect(fs.existsSync(path.join(dataDir, 'lingo.sqlite'))).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
