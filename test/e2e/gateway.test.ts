import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { makeImage } from '../fixtures/images.js';
import { MemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.js';
import { downloadPath, request, uploadPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';
import { sdkFailure } from '../helpers/sdk.js';

/** The download of a file token that exists nowhere: with a valid token it passes the gateway and its rate limit, then answers 400. */
const unknownFile = downloadPath('boxbc0000000000000000000000');

describe('gateway checks as the official SDK surfaces them', () => {
  let server: TestServer;
  let image: Buffer;

  beforeAll(async () => {
    server = await startServer();
    image = await makeImage('png', 400, 400);
  });
  afterAll(() => server.close());

  const upload = (client: lark.Client, opts?: ReturnType<typeof lark.withTenantToken>) =>
    client.lingo.v1.file.upload({ data: { name: 'x.png', file: image } }, opts);

  it('a wrong app secret: SDK 1.74 stops at the token endpoint with 10014 (SDK <= 1.22 sent no token: 99991661, below)', async () => {
    const creds = await server.newApp();
    const client = server.sdk({ ...creds, app_secret: 'wrong' });
    await expect(upload(client)).rejects.toThrow(/code: 10014/);
  });

  it('99991663 for an unknown tenant token', async () => {
    const creds = await server.newApp();
    // The SDK honours withTenantToken only with its own token cache off.
    const client = new lark.Client({
      appId: creds.app_id,
      appSecret: creds.app_secret,
      domain: server.baseUrl,
      disableTokenCache: true,
      loggerLevel: lark.LoggerLevel.fatal,
    });
    const f = await sdkFailure(() => upload(client, lark.withTenantToken('t-0000000000000000000000000000000000000000')));
    expect([f.status, f.data.code]).toEqual([400, 99991663]);
  });

  it('99991668 for an unknown user token', async () => {
    const client = server.sdk(await server.newApp());
    const f = await sdkFailure(() => upload(client, lark.withUserAccessToken('u-doesnotexist')));
    expect([f.status, f.data.code]).toEqual([400, 99991668]);
  });

  it('99991677 (HTTP 401) for an expired user token', async () => {
    const creds = await server.newApp();
    const token = await server.userToken(creds, ['baike:entity'], 1);
    await new Promise((r) => setTimeout(r, 1100));
    const f = await sdkFailure(() => upload(server.sdk(creds), lark.withUserAccessToken(token)));
    expect([f.status, f.data.code]).toEqual([401, 99991677]);
  });

  it('99991672 with action_scope_required when the app lacks every accepted scope', async () => {
    const creds = await server.newApp({ scopes: ['contact:user.base:readonly'] });
    const f = await sdkFailure(() => upload(server.sdk(creds)));
    expect([f.status, f.data.code]).toEqual([400, 99991672]);
    expect(f.data.error?.permission_violations).toEqual([
      { type: 'action_scope_required', subject: 'baike:entity' },
      { type: 'action_scope_required', subject: 'baike:entity:exempt_review' },
    ]);
  });

  it('accepts baike:entity:exempt_review alone for upload, and baike:entity:readonly alone for download only', async () => {
    const exempt = await server.newApp({ scopes: ['baike:entity:exempt_review'] });
    const uploaded = await upload(server.sdk(exempt));
    expect(uploaded?.file_token).toMatch(/^boxbc/);
    // Same tenant, so the file is visible to it: readonly may download, but not upload.
    const readonly = await server.newApp({ scopes: ['baike:entity:readonly'], tenantKey: exempt.tenant_key });
    const downloaded = await server.sdk(readonly).lingo.v1.file.download({ path: { file_token: uploaded!.file_token! } });
    expect((await readAll(downloaded.getReadableStream())).equals(image)).toBe(true);
    const f = await sdkFailure(() => upload(server.sdk(readonly)));
    expect([f.status, f.data.code]).toEqual([400, 99991672]);
  });

  it('99991679 with action_privilege_required when the user token lacks the privilege', async () => {
    const creds = await server.newApp();
    const token = await server.userToken(creds, ['contact:user.base:readonly']);
    const f = await sdkFailure(() => upload(server.sdk(creds), lark.withUserAccessToken(token)));
    expect([f.status, f.data.code]).toEqual([400, 99991679]);
    expect(f.data.error?.permission_violations).toContainEqual({ type: 'action_privilege_required', subject: 'baike:entity' });
  });

  it('99991672 with app_type_required for a store app', async () => {
    const creds = await server.newApp({ type: 'store' });
    const f = await sdkFailure(() => upload(server.sdk(creds)));
    expect([f.status, f.data.code]).toEqual([400, 99991672]);
    expect(f.data.error?.permission_violations).toEqual([{ type: 'app_type_required', subject: 'self_built' }]);
  });

  it('99991661 when the Authorization header is missing, empty or not a bearer token', async () => {
    for (const authorization of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Token t-abc']) {
      const res = await request(server.baseUrl, {
        method: 'POST',
        path: uploadPath,
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
      expect([res.status, res.json().code], String(authorization)).toEqual([400, 99991661]);
    }
  });

  it('a tenant token of a removed-from-lookup app and an expired tenant token answer 99991663', async () => {
    const res = await request(server.baseUrl, {
      path: unknownFile,
      headers: { Authorization: 'Bearer t-expired' },
    });
    expect([res.status, res.json().code]).toEqual([400, 99991663]);
  });
});

/** A clock the tests move: windows are aligned on it, so counts never straddle a boundary by chance. */
function manualClock(): { now: () => number; advanceSeconds(s: number): void } {
  let ms = Date.UTC(2030, 0, 1, 12, 0, 0); // the first millisecond of a minute
  return { now: () => ms, advanceSeconds: (s) => void (ms += s * 1000) };
}

// Each test spends the quota of its own app, so none sees what another one used.
describe('rate limit: 50 per second and 1000 per minute per API × app × tenant', () => {
  let server: TestServer;
  const clock = manualClock();
  beforeAll(async () => {
    server = await startServer({ rateLimitPerSecond: 50, rateLimitPerMinute: 1000 }, { limiter: new MemoryRateLimiter(clock.now) });
  });
  afterAll(() => server.close());

  it('a burst trips the per-second window with 429 99991400 and the x-ogw headers; rejected calls cost no quota', async () => {
    const creds = await server.newApp();
    const token = await server.tenantToken(creds);
    const results = await Promise.all(
      Array.from({ length: 80 }, () => request(server.baseUrl, { path: unknownFile, headers: { Authorization: `Bearer ${token}` } })),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 400)).toHaveLength(50);
    expect(limited).toHaveLength(30);
    for (const r of limited) {
      expect(r.json().code).toBe(99991400);
      expect(r.headers['x-ogw-ratelimit-limit']).toBe('50');
      expect(r.headers['x-ogw-ratelimit-reset']).toBe('1');
      expect(r.headers['retry-after']).toBe('1');
    }
    // Another app has its own quota.
    const other = await server.tenantToken(await server.newApp());
    expect((await request(server.baseUrl, { path: unknownFile, headers: { Authorization: `Bearer ${other}` } })).status).toBe(400);
    // So has another API: the same token passes the gateway for upload (then fails on its empty body).
    const upload = await request(server.baseUrl, { method: 'POST', path: uploadPath, headers: { Authorization: `Bearer ${token}` } });
    expect([upload.status, upload.json().code]).toEqual([400, 2250001]);
    // The 30 refusals consumed nothing: in the next second, 50 more are admitted at once.
    clock.advanceSeconds(1);
    const next = await Promise.all(
      Array.from({ length: 50 }, () => request(server.baseUrl, { path: unknownFile, headers: { Authorization: `Bearer ${token}` } })),
    );
    expect(next.map((r) => r.status)).toEqual(Array(50).fill(400));
  });

  it('the SDK surfaces the 429 with code 99991400', async () => {
    const creds = await server.newApp();
    const client = server.sdk(creds);
    const token = await server.tenantToken(creds);
    await Promise.all(Array.from({ length: 50 }, () => request(server.baseUrl, { path: unknownFile, headers: { Authorization: `Bearer ${token}` } })));
    const f = await sdkFailure(() => client.lingo.v1.file.download({ path: { file_token: 'boxbc0000000000000000000000' } }));
    expect([f.status, f.data.code]).toEqual([429, 99991400]);
  });
});

describe('rate limit: the per-minute window', () => {
  let server: TestServer;
  const clock = manualClock();
  beforeAll(async () => {
    server = await startServer({ rateLimitPerSecond: 0, rateLimitPerMinute: 5 }, { limiter: new MemoryRateLimiter(clock.now) });
  });
  afterAll(() => server.close());

  it('trips on its own limit, says when the minute frees a slot, and frees it on the minute', async () => {
    const token = await server.tenantToken(await server.newApp());
    const get = () => request(server.baseUrl, { path: unknownFile, headers: { Authorization: `Bearer ${token}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get()).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    clock.advanceSeconds(20);
    const refused = await get();
    expect([refused.status, refused.json().code]).toEqual([429, 99991400]);
    expect(refused.headers['x-ogw-ratelimit-limit']).toBe('5');
    // The window is the clock's minute, not a minute from the first request.
    expect(refused.headers['x-ogw-ratelimit-reset']).toBe('40');
    expect(refused.headers['retry-after']).toBe('40');
    clock.advanceSeconds(40);
    expect((await get()).status).toBe(400);
  });
});
