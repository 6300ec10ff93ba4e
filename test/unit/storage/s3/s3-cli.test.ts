import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeImage, padTo } from '../../../fixtures/images.js';
import { downloadPath, filePart, namePart, postJson, rawUpload, request, tenantTokenPath } from '../../../helpers/http.js';
import { createTestSchema, type TestSchema } from '../../../helpers/postgres-schema.js';
import { cliFromSources, spawnServe, type ServeProcess, runCli } from '../../../helpers/serve-process.js';
import { describeWithServices, serviceUrl } from '../../../helpers/services.js';
import { makeTempDir, removeDir } from '../../../helpers/temp-dir.js';
import { openS3Fixture, type S3Fixture } from './s3-fixture.js';

/**
 * The settings wired end to end: two `serve` processes and the maintenance commands on one
 * PostgreSQL schema (migrated by the first to start) and one bucket, configured from the
 * environment as a deployment would be.
 */
describeWithServices(['postgres', 's3'], 'lingo-server with --meta postgres --blob s3', () => {
  let fixture: S3Fixture;
  let schema: TestSchema;
  let env: NodeJS.ProcessEnv;
  const dirs: string[] = [];
  const servers: ServeProcess[] = [];
  beforeAll(async () => {
    fixture = await openS3Fixture();
    schema = await createTestSchema('s3cli_');
    env = {
      ...process.env,
      LINGO_META: 'postgres',
      LINGO_POSTGRES_URL: schema.url,
      LINGO_BLOB: 's3',
      LINGO_S3_ENDPOINT: serviceUrl('s3'),
      LINGO_S3_BUCKET: await fixture.newBucket(),
      LINGO_S3_REGION: 'us-east-1',
      LINGO_S3_FORCE_PATH_STYLE: '1',
      LINGO_RATE_LIMIT_PER_SECOND: '0',
      LINGO_RATE_LIMIT_PER_MINUTE: '0',
    };
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) removeDir(dir);
    await schema?.drop();
    await fixture?.close();
  });

  /** Each instance its own data dir: with S3 it holds only the spool. */
  const dataDir = (): string => {
    const dir = makeTempDir('s3-cli');
    dirs.push(dir);
    return dir;
  };
  const cli = (args: string[]) => {
    const r = runCli([...args, '--data-dir', dataDir()], env);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, any>;
  };

  it('an upload on one instance downloads on the other; gc keeps it and fsck finds it whole', async () => {
    const creds = cli(['app', 'create', '--name', 'scale-out', '--scopes', 'baike:entity', '--json']);
    const [a, b] = await Promise.all([
      spawnServe(cliFromSources, ['--port', '0', '--data-dir', dataDir()], { env }),
      spawnServe(cliFromSources, ['--port', '0', '--data-dir', dataDir()], { env }),
    ]);
    servers.push(a, b);
    const base = (s: ServeProcess) => `http://127.0.0.1:${s.port}`;
    const auth = await postJson(base(a), tenantTokenPath, { app_id: creds.app_id, app_secret: creds.app_secret });
    expect(auth.status).toBe(200);
    expect(auth.json().code).toBe(0);
    const token = auth.json().tenant_access_token as string;

    const bytes = padTo(await makeImage('png', 640, 480), 1024 * 1024);
    const up = await rawUpload(base(a), token, [namePart('f.png'), filePart(bytes)]);
    expect(up.status, up.body.toString()).toBe(200);
    expect(up.json().code).toBe(0);
    const fileToken = up.json().data.file_token as string;
    const whole = await request(base(b), { path: downloadPath(fileToken), headers: { Authorization: `Bearer ${token}` } });
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await request(base(b), { path: downloadPath(fileToken), headers: { Authorization: `Bearer ${token}`, Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.body.equals(bytes.subarray(10, 20))).toBe(true);

    expect(cli(['gc', '--grace-seconds', '0', '--json'])).toMatchObject({ blobsRemoved: 0 });
    expect(cli(['fsck', '--json'])).toMatchObject({ filesChecked: 1, problems: [], unreferencedBlobs: 0 });
    expect(await fixture.objectKeys(env.LINGO_S3_BUCKET!)).toHaveLength(1);
  });
});
