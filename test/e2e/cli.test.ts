import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../../src/config/settings.js';
import { makeImage } from '../fixtures/images.js';
import { filePart, namePart, rawUpload, request } from '../helpers/http.js';
import { freePort } from '../helpers/free-port.js';
import { cliFromSources, spawnServe, runCli, type CliResult } from '../helpers/serve-process.js';
import { startServer, type TestServer } from '../helpers/server.js';

const cli = (args: string[], env: Record<string, string> = {}): CliResult => runCli(args, { ...process.env, ...env });

describe('lingo-server CLI', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('app create --json prints credentials that a running server on the same data dir accepts at once', async () => {
    const r = cli(['app', 'create', '--name', 'ci', '--scopes', 'baike:entity', '--tenant', 'tenant_ci', '--data-dir', server.dataDir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const creds = JSON.parse(r.stdout) as { app_id: string; app_secret: string; tenant_key: string };
    expect(Object.keys(creds).sort()).toEqual(['app_id', 'app_secret', 'tenant_key']);
    expect(creds.tenant_key).toBe('tenant_ci');
    const res = await request(server.baseUrl, {
      method: 'POST',
      path: '/open-apis/auth/v3/tenant_access_token/internal',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ app_id: creds.app_id, app_secret: creds.app_secret }),
    });
    expect(res.json().code).toBe(0);

    const list = cli(['app', 'list', '--json'], { LINGO_DATA_DIR: server.dataDir });
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as { app_id: string }[]).map((a) => a.app_id)).toContain(creds.app_id);
  });

  it('token user --json mints a user token the server accepts', async () => {
    const creds = JSON.parse(cli(['app', 'create', '--name', 'u', '--scopes', 'baike:entity', '--data-dir', server.dataDir, '--json']).stdout);
    const r = cli([
      'token',
      'user',
      '--app-id',
      creds.app_id,
      '--user-id',
      'ou_1',
      '--scopes',
      'baike:entity',
      '--ttl-seconds',
      '600',
      '--data-dir',
      server.dataDir,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as { user_access_token: string; expire: number };
    expect(t.user_access_token).toMatch(/^u-/);
    expect(t.expire).toBe(600);
    const res = await rawUpload(server.baseUrl, t.user_access_token, [namePart('u.png'), filePart(await makeImage('png', 320, 320))]);
    expect(res.json().code).toBe(0);
  });

  it("--version prints package.json's version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('bad arguments print a message and exit non-zero', () => {
    const cases = [
      ['app', 'create', '--name', 'x', '--data-dir', server.dataDir],
      ['app', 'create', '--name', 'x', '--scopes', 'baike:entity', '--type', 'bogus', '--data-dir', server.dataDir],
      ['token', 'user', '--app-id', 'cli_missing', '--user-id', 'u', '--scopes', 'baike:entity', '--data-dir', server.dataDir],
      ['serve', '--port', 'eighty'],
      ['no-such-command'],
    ];
    for (const args of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
  });

  it('serve on an empty data dir creates an app, prints credentials and a curl, and stops on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-serve-'));
    const server = await spawnServe(cliFromSources, ['--port', '0', '--log-level', 'silent'], { env: { ...process.env, LINGO_DATA_DIR: dataDir } });
    const out = server.stdout();
    expect(out).toMatch(/app_id: +cli_[a-z0-9]{16}/);
    expect(out).toMatch(/app_secret: +\S{32}/);
    expect(out).toContain('curl');
    const appId = /app_id: +(\S+)/.exec(out)![1]!;
    const appSecret = /app_secret: +(\S+)/.exec(out)![1]!;
    const res = await request(`http://127.0.0.1:${server.port}`, {
      method: 'POST',
      path: '/open-apis/auth/v3/tenant_access_token/internal',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ app_id: appId, app_secret: appSecret }),
    });
    expect(res.json().code).toBe(0);
    expect(await server.stop()).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('lingo-server serve: failures to start', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-serve-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a second serve on a data dir that a running server holds prints one line and exits 2; the first serves on', async () => {
    const dataDir = tempDir();
    const first = await spawnServe(cliFromSources, ['--port', '0', '--data-dir', dataDir, '--log-level', 'silent']);
    try {
      const second = cli(['serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent']);
      expect(second.status, second.stderr).toBe(2);
      expect(second.stderr).toMatch(/^lingo-server: [^\n]*one server per data dir\)\n$/);
      expect(second.stdout).not.toContain('listening');
      const health = await request(`http://127.0.0.1:${first.port}`, { method: 'GET', path: '/readyz' });
      expect(health.status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it('a port in use: the system error in one line, exit 1', async () => {
    const first = await spawnServe(cliFromSources, ['--port', '0', '--data-dir', tempDir(), '--log-level', 'silent']);
    try {
      const second = cli(['serve', '--host', '127.0.0.1', '--port', String(first.port), '--data-dir', tempDir(), '--log-level', 'silent']);
      expect(second.status, second.stderr).toBe(1);
      expect(second.stderr).toBe(`lingo-server: listen EADDRINUSE: address already in use 127.0.0.1:${first.port}\n`);
    } finally {
      await first.stop();
    }
  });

  it('a setting that is not allowed: one line naming the flag or variable, exit 2', () => {
    const fromEnv = cli(['serve', '--data-dir', tempDir()], { LINGO_SEGMENT_BLOB_MAX_BYTES: '2097152' });
    expect(fromEnv.status).toBe(2);
    expect(fromEnv.stderr).toBe('lingo-server: LINGO_SEGMENT_BLOB_MAX_BYTES must be a whole number from 0 to 1048576, got "2097152"\n');
    const fromFlag = cli(['serve', '--data-dir', tempDir(), '--log-level', 'loud']);
    expect(fromFlag.status).toBe(2);
    expect(fromFlag.stderr).toBe('lingo-server: --log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"\n');
  });

  it('an unreachable --redis-url stops serve at start: one line naming the setting, no password, exit 2', async () => {
    const port = await freePort();
    const r = cli(['serve', '--data-dir', tempDir(), '--port', '0', '--redis-url', `redis://:s3cret@127.0.0.1:${port}/0`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`lingo-server: --redis-url: cannot reach redis://:***@127.0.0.1:${port}/0 (connect ECONNREFUSED 127.0.0.1:${port})\n`);
  });
});

describe('lingo-server config print', () => {
  it('--json: every setting with its effective value and where it came from (flag > env > default)', () => {
    const r = cli(['config', 'print', '--json', '--port', '9100', '--data-dir', '/tmp/lingo-flag'], {
      LINGO_PORT: '9000',
      LINGO_HOST: '0.0.0.0',
      LINGO_LOG_LEVEL: '',
    });
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, { value: unknown; source: string; flag: string; env: string }>;
    expect(printed.port).toEqual({ value: 9100, source: 'flag', flag: '--port', env: 'LINGO_PORT' });
    expect(printed.host).toEqual({ value: '0.0.0.0', source: 'env', flag: '--host', env: 'LINGO_HOST' });
    expect(printed.dataDir).toMatchObject({ value: '/tmp/lingo-flag', source: 'flag' });
    expect(printed.logLevel).toMatchObject({ value: 'info', source: 'default' });
    expect(printed.segmentBlobMaxBytes).toEqual({ value: 262144, source: 'default', flag: '--segment-blob-max-bytes', env: 'LINGO_SEGMENT_BLOB_MAX_BYTES' });
    expect(Object.keys(printed)).toHaveLength(settings.length);
  });

  it('--redis-url is printed without its password', () => {
    const r = cli(['config', 'print', '--json'], { LINGO_REDIS_URL: 'redis://:s3cret@cache:6379/3' });
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, { value: unknown; source: string }>;
    expect(printed.redisUrl).toMatchObject({ value: 'redis://:***@cache:6379/3', source: 'env' });
    expect(r.stdout).not.toContain('s3cret');
  });

  it('as text: one line per setting, and the same checks as serve', () => {
    const r = cli(['config', 'print'], { LINGO_IDLE_TIMEOUT_MS: '1234' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^setting +value +from$/);
    expect(lines).toHaveLength(settings.length + 1);
    expect(lines).toContainEqual(expect.stringMatching(/^--idle-timeout-ms +1234 ms +env LINGO_IDLE_TIMEOUT_MS$/));
    expect(lines).toContainEqual(expect.stringMatching(/^--port +8080 +default$/));
    const bad = cli(['config', 'print', '--headers-timeout-ms', '5000', '--request-timeout-ms', '4000']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^lingo-server: --headers-timeout-ms \(5000 ms\) must not exceed --request-timeout-ms \(4000 ms\)\n$/);
  });
});
