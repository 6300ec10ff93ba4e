import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../helpers/postgres-schema.js';
import { cliFromSources, spawnServe, runCli, type CliResult } from '../../helpers/serve-process.js';
import { describeWithServices } from '../../helpers/services.js';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.js';
import { freePort } from '../../helpers/free-port.js';

/** The CLI without any PostgreSQL setting of this process's environment, plus `env`. */
function cli(args: string[], env: Record<string, string> = {}): CliResult {
  const clean = { ...process.env };
  delete clean.LINGO_META;
  delete clean.LINGO_POSTGRES_URL;
  return runCli(args, { ...clean, ...env });
}

describe('the CLI with a PostgreSQL it cannot use', () => {
  it('no server at --postgres-url: one line naming the setting, without the password, exit 2 (serve and the data commands alike)', async () => {
    const url = `postgres://lingo:pw-s3cret@127.0.0.1:${await freePort()}/lingo`;
    const dataDir = makeTempDir('pgcli');
    try {
      for (const args of [
        ['app', 'list', '--postgres-url', url],
        ['serve', '--port', '0', '--data-dir', dataDir, '--postgres-url', url],
      ]) {
        const r = cli(args);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^lingo-server: --postgres-url: cannot connect to PostgreSQL at postgres:\/\/lingo:\*\*\*@127\.0\.0\.1:\d+\/lingo \(.+\)\n$/);
        expect(r.stderr + r.stdout).not.toContain('pw-s3cret');
      }
    } finally {
      removeDir(dataDir);
    }
  });

  it('--meta postgres without a URL: exit 2 naming both settings', () => {
    const r = cli(['app', 'list'], { LINGO_META: 'postgres' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('lingo-server: --meta postgres needs --postgres-url (or LINGO_POSTGRES_URL)\n');
  });
});

describeWithServices(['postgres'], 'the CLI on PostgreSQL rows', () => {
  let schema: TestSchema;
  let dataDir: string;
  beforeEach(async () => {
    schema = await createTestSchema('lingo_cli_');
    dataDir = makeTempDir('pgcli');
  });
  afterEach(async () => {
    await schema?.drop();
    if (dataDir) removeDir(dataDir);
  });

  it('app create, app list, token user, fsck and gc all work on the database of --postgres-url (or LINGO_POSTGRES_URL)', () => {
    const created = cli(['app', 'create', '--name', 'pg', '--scopes', 'baike:entity', '--tenant', 'tenant_pg', '--postgres-url', schema.url, '--json']);
    expect(created.status, created.stderr).toBe(0);
    const creds = JSON.parse(created.stdout) as { app_id: string };
    const listed = cli(['app', 'list', '--json'], { LINGO_POSTGRES_URL: schema.url });
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([{ app_id: creds.app_id, name: 'pg', tenant_key: 'tenant_pg', type: 'self_built', scopes: ['baike:entity'] }]);
    const user = cli([
      'token',
      'user',
      '--app-id',
      creds.app_id,
      '--user-id',
      'ou_1',
      '--scopes',
      'baike:entity',
      '--meta',
      'postgres',
      '--postgres-url',
      schema.url,
      '--json',
    ]);
    expect(user.status, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout).user_access_token).toMatch(/^u-/);
    const fsck = cli(['fsck', '--data-dir', dataDir, '--postgres-url', schema.url, '--json']);
    expect(fsck.status, fsck.stderr).toBe(0);
    expect(JSON.parse(fsck.stdout)).toEqual({ filesChecked: 0, problems: [], unreferencedBlobs: 0 });
    const gc = cli(['gc', '--data-dir', dataDir, '--postgres-url', schema.url, '--json']);
    expect(gc.status, gc.stderr).toBe(0);
  });

  it('serve on PostgreSQL rows: the first start creates its default app there', async () => {
    const server = await spawnServe(cliFromSources, ['--port', '0', '--data-dir', dataDir, '--postgres-url', schema.url]);
    try {
      expect(server.stdout()).toMatch(/app_id: {5}cli_/);
      const names = await schema.query<{ name: string }>('SELECT name FROM apps');
      expect(names.map((r) => r.name)).toContain('default');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
