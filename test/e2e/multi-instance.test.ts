import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import * as lark from '@larksuiteoapi/node-sdk';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { downloadPath, postJson, request, tenantTokenPath } from '../helpers/http.js';
import { cliFromSources, spawnServe, type ServeProcess, runCli, type CliResult } from '../helpers/serve-process.js';
import { describeWithServices, postgresUrlWithSchema, serviceUrl, uniqueName } from '../helpers/services.js';
import { readAll } from '../helpers/streams.js';

// Two lingo-server processes on one PostgreSQL schema, one S3 bucket and one Redis: what a
// deployment of N instances behind a load balancer relies on.
describeWithServices(['postgres', 'redis', 's3'], 'two instances on shared PostgreSQL + S3 + Redis', () => {
  const schema = uniqueName('mi_');
  const bucket = uniqueName('lingo-mi-');
  let sharedFlags: string[];
  let a: ServeProcess;
  let b: ServeProcess;
  const urlOf = (s: ServeProcess): string => `http://127.0.0.1:${s.port}`;

  const cli = (args: string[]): CliResult => runCli([...args, ...sharedFlags]);

  function newApp(): { app_id: string; app_secret: string; tenant_key: string } {
    const r = cli(['app', 'create', '--name', 'mi', '--scopes', 'baike:entity', '--json']);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { app_id: string; app_secret: string; tenant_key: string };
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serviceUrl('postgres') });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const s3 = new S3Client({ endpoint: serviceUrl('s3'), region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    sharedFlags = [
      '--meta',
      'postgres',
      '--postgres-url',
      postgresUrlWithSchema(schema),
      '--blob',
      's3',
      '--s3-endpoint',
      serviceUrl('s3'),
      '--s3-bucket',
      bucket,
      '--s3-region',
      'us-east-1',
      '--s3-force-path-style',
    ];
    // A per-minute limit small enough to reach in one test; no per-second window to race.
    const serveFlags = [
      '--port',
      '0',
      '--log-level',
      'warn',
      '--rate-limit-per-second',
      '0',
      '--rate-limit-per-minute',
      '30',
      '--redis-url',
      serviceUrl('redis'),
      ...sharedFlags,
    ];
    [a, b] = await Promise.all([spawnServe(cliFromSources, serveFlags), spawnServe(cliFromSources, serveFlags)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const admin = new pg.Client({ connectionString: serviceUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('a token minted by one instance works on the other, and both hand out the same one', async () => {
    const app = newApp();
    const fromA = await postJson(urlOf(a), tenantTokenPath, { app_id: app.app_id, app_secret: app.app_secret });
    const fromB = await postJson(urlOf(b), tenantTokenPath, { app_id: app.app_id, app_secret: app.app_secret });
    expect([fromA.status, fromA.json().code, fromB.status, fromB.json().code]).toEqual([200, 0, 200, 0]);
    expect(fromB.json().tenant_access_token).toBe(fromA.json().tenant_access_token);
  });

  it('concurrent token requests spread over both instances all get one token', async () => {
    const app = newApp();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => postJson(urlOf(i % 2 ? a : b), tenantTokenPath, { app_id: app.app_id, app_secret: app.app_secret })),
    );
    expect(answers.map((r) => r.json().code)).toEqual(answers.map(() => 0));
    expect(new Set(answers.map((r) => r.json().tenant_access_token)).size).toBe(1);
  });

  it('with the official SDK: upload on one instance, download (and a Range) on the other', async () => {
    const app = newApp();
    const clientA = new lark.Client({ appId: app.app_id, appSecret: app.app_secret, domain: urlOf(a), loggerLevel: lark.LoggerLevel.error });
    const clientB = new lark.Client({ appId: app.app_id, appSecret: app.app_secret, domain: urlOf(b), loggerLevel: lark.LoggerLevel.error });
    for (const image of [await makeImage('png', 400, 400), await makeImage('jpeg', 900, 700, { minBytes: 400 * 1024 })]) {
      const uploaded = await clientA.lingo.v1.file.upload({ data: { name: 'multi.png', file: image } });
      const fileToken = uploaded?.file_token;
      expect(fileToken).toMatch(/^boxbc/);
      const downloaded = await clientB.lingo.v1.file.download({ path: { file_token: fileToken! } });
      expect((await readAll(downloaded.getReadableStream())).equals(image)).toBe(true);

      const token = (await postJson(urlOf(b), tenantTokenPath, { app_id: app.app_id, app_secret: app.app_secret })).json().tenant_access_token;
      const ranged = await request(urlOf(b), {
        method: 'GET',
        path: downloadPath(fileToken!),
        headers: { Authorization: `Bearer ${token}`, Range: 'bytes=100-1099' },
      });
      expect(ranged.status).toBe(206);
      expect(ranged.headers['content-range']).toBe(`bytes 100-1099/${image.length}`);
      expect(ranged.body.equals(image.subarray(100, 1100))).toBe(true);
    }
  });

  it('the same bytes uploaded on both instances at once: both acknowledged, both download', async () => {
    const app = newApp();
    const token = (await postJson(urlOf(a), tenantTokenPath, { app_id: app.app_id, app_secret: app.app_secret })).json().tenant_access_token as string;
    const image = await makeImage('png', 500, 500);
    const clients = [a, b].map((s) => new lark.Client({ appId: app.app_id, appSecret: app.app_secret, domain: urlOf(s), loggerLevel: lark.LoggerLevel.error }));
    const tokens = await Promise.all(
      Array.from({ length: 6 }, (_, i) => clients[i % 2]!.lingo.v1.file.upload({ data: { name: `same-${i}.png`, file: image } }).then((r) => r!.file_token!)),
    );
    expect(new Set(tokens).size).toBe(6);
    for (const [i, fileToken] of tokens.entries()) {
      const res = await request(urlOf(i % 2 ? a : b), { method: 'GET', path: downloadPath(fileToken), headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.body.equals(image)).toBe(true);
    }
  });

  it('a burst spread over both instances sees one global limit (30 per minute per operation × app × tenant)', async () => {
    const app = newApp();
    const token = (await postJson(urlOf(a), tenantTokenPath, { app_id: app.app_id, app_secret: app.app_secret })).json().tenant_access_token as string;
    const image = await makeImage('png', 400, 420);
    const client = new lark.Client({ appId: app.app_id, appSecret: app.app_secret, domain: urlOf(a), loggerLevel: lark.LoggerLevel.error });
    const fileToken = (await client.lingo.v1.file.upload({ data: { name: 'burst.png', file: image } }))!.file_token!;
    // The windows are aligned on the minute: start early in one, so the burst cannot straddle two.
    while (new Date().getSeconds() > 40) await new Promise((r) => setTimeout(r, 500));
    const answers = [];
    for (let i = 0; i < 40; i++) {
      answers.push(await request(urlOf(i % 2 ? a : b), { method: 'GET', path: downloadPath(fileToken), headers: { Authorization: `Bearer ${token}` } }));
    }
    const ok = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status === 429);
    expect(ok.length).toBe(30);
    expect(limited.length).toBe(10);
    expect(limited.every((r) => r.json().code === 99991400 && r.headers['x-ogw-ratelimit-limit'] === '30')).toBe(true);
    // Refused requests consumed nothing, and both instances refused some.
    expect(new Set(answers.slice(30).map((r) => r.status))).toEqual(new Set([429]));
  });

  it('both instances report every backend by name on /readyz', async () => {
    for (const s of [a, b]) {
      const res = await request(urlOf(s), { method: 'GET', path: '/readyz' });
      expect(res.status).toBe(200);
      expect(res.json().checks).toMatchObject({ meta: 'ok', blob: 'ok' });
      expect(res.json().backends).toMatchObject({ meta: 'postgres', blob: 's3', ratelimit: 'redis' });
    }
  });
});
