import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/secrets.js';
import { distinctImage, eventually } from '../helpers/hostile.js';
import { appTokenPath, downloadPath, filePart, multipart, namePart, postJson, rawUpload, request, tenantTokenPath, type RawResponse } from '../helpers/http.js';
import { connect, uploadHead } from '../helpers/raw-socket.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

type Line = Record<string, any>;

describe('the access log: one line per request', () => {
  let server: ServerWithApp;
  beforeAll(async () => {
    server = await startServerWithApp({ rateLimitPerSecond: 2 });
  });
  afterAll(() => server.close());

  const accessLines = (): Line[] => server.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === 'request');
  /** The access-log line of a response, once it is written (just after the client has the response). */
  async function lineOf(res: RawResponse): Promise<Line> {
    const logId = res.headers['x-tt-logid'] as string;
    expect(logId).toMatch(/^[0-9A-Z]{20,}$/i);
    let lines: Line[] = [];
    await eventually(() => {
      lines = accessLines().filter((l) => l.logId === logId);
      expect(lines).toHaveLength(1);
    });
    return lines[0]!;
  }

  it('carries logId, operation, method, path, status, code, request and response bytes, duration', async () => {
    const image = await distinctImage();
    const { body, contentType } = multipart([namePart('log.png'), filePart(image)]);
    const up = await request(server.baseUrl, {
      method: 'POST',
      path: '/open-apis/lingo/v1/files/upload',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': contentType },
      body,
    });
    expect(up.status).toBe(200);
    const upLine = await lineOf(up);
    expect(upLine).toMatchObject({ level: 30, operation: 'lingo.v1.file.upload', method: 'POST', path: '/open-apis/lingo/v1/files/upload', status: 200 });
    expect(upLine.reqBytes).toBe(body.length);
    expect(upLine.resBytes).toBeGreaterThan(up.body.length);
    expect(upLine.ms).toBeGreaterThan(0);
    expect(upLine).not.toHaveProperty('code');
    expect(upLine).not.toHaveProperty('aborted');

    const ft = up.json().data.file_token as string;
    const dl = await request(server.baseUrl, { path: `${downloadPath(ft)}?x=1`, headers: { Authorization: `Bearer ${server.token}` } });
    expect(dl.status).toBe(200);
    const dlLine = await lineOf(dl);
    expect(dlLine).toMatchObject({ operation: 'lingo.v1.file.download', method: 'GET', path: downloadPath(ft), status: 200, reqBytes: 0 });
    expect(dlLine.resBytes).toBeGreaterThan(image.length);

    const missing = await request(server.baseUrl, { path: downloadPath(ft) });
    expect(await lineOf(missing)).toMatchObject({ operation: 'lingo.v1.file.download', status: 400, code: 99991661 });
    const notFound = await request(server.baseUrl, { method: 'DELETE', path: '/nowhere' });
    expect(await lineOf(notFound)).toMatchObject({ operation: 'unknown', method: 'DELETE', status: 404 });
  });

  it('every request gets exactly one line, a refused or cut-off one too', async () => {
    const before = accessLines().length;
    const responses: RawResponse[] = [];
    // 2 per second: 6 calls split across at most two windows put 3 in one of them.
    for (let i = 0; i < 6; i++)
      responses.push(await request(server.baseUrl, { path: '/open-apis/lingo/v1/repos', headers: { Authorization: `Bearer ${server.token}` } }));
    expect(responses.map((r) => r.status)).toContain(429);
    responses.push(await request(server.baseUrl, { path: '/healthz' }));
    for (const res of responses) await lineOf(res);
    const refused = await lineOf(responses.find((r) => r.status === 429)!);
    expect(refused).toMatchObject({ operation: 'lingo.v1.repo.list', status: 429, code: 99991400 });

    // An upload whose client goes away mid-body: no response, still one line, marked aborted.
    const { body, contentType } = multipart([namePart('cut.png'), filePart(await distinctImage(200_000))]);
    const conn = await connect(server.port);
    await conn.write(uploadHead(server.token, contentType, body.length));
    await conn.write(body.subarray(0, 50_000));
    await eventually(() => expect(accessLines().length).toBeGreaterThanOrEqual(before + responses.length));
    conn.destroy();
    await eventually(() => expect(accessLines().filter((l) => l.aborted === true)).toHaveLength(1));
    const cut = accessLines().find((l) => l.aborted === true)!;
    expect(cut).toMatchObject({ operation: 'lingo.v1.file.upload', method: 'POST' });
    expect(cut.reqBytes).toBeGreaterThan(0);
    expect(cut.reqBytes).toBeLessThanOrEqual(50_000);
    expect(accessLines().length - before).toBe(responses.length + 1);
  });

  it('no line holds a token, a secret, their hashes or an Authorization header', async () => {
    const creds = await server.newApp();
    const tenant = (await postJson(server.baseUrl, tenantTokenPath, creds)).json().tenant_access_token as string;
    const appToken = (await postJson(server.baseUrl, appTokenPath, creds)).json().app_access_token as string;
    const user = await server.userToken(creds, ['baike:entity']);
    const up = await rawUpload(server.baseUrl, tenant, [namePart('secret.png'), filePart(await distinctImage())]);
    const ft = up.json().data.file_token as string;
    const bogus = 't-' + 'e'.repeat(40);
    for (const token of [tenant, user, appToken, creds.app_secret, bogus]) {
      await request(server.baseUrl, { path: downloadPath(ft), headers: { Authorization: `Bearer ${token}` } });
      await request(server.baseUrl, { path: downloadPath(ft), headers: { authorization: token } });
    }
    await postJson(server.baseUrl, tenantTokenPath, { ...creds, app_secret: creds.app_secret + 'x' });
    await eventually(() => expect(accessLines().filter((l) => l.path === downloadPath(ft))).toHaveLength(10));

    const all = server.logs.join('\n');
    for (const secret of [tenant, user, appToken, server.token, creds.app_secret, creds.app_secret + 'x', bogus]) {
      expect(all.includes(secret), 'a token or secret in the log').toBe(false);
      expect(all.includes(sha256Hex(secret)), 'the hash of a token or secret in the log').toBe(false);
    }
    expect(all).not.toMatch(/bearer|authorization/i);
  });
});
