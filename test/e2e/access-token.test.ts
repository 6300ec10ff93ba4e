import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appTokenPath, postJson, tenantTokenPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('token endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const post = (path: string, body: unknown, contentType?: string) => postJson(server.baseUrl, path, body, contentType);

  it('tenant token: top-level fields, expire 7200, the same token while ≥ 30 min remain', async () => {
    const creds = await server.newApp();
    const a = await post(tenantTokenPath, { app_id: creds.app_id, app_secret: creds.app_secret });
    expect(a.status).toBe(200);
    const body = a.json();
    expect(body).toMatchObject({ code: 0, msg: 'ok' });
    expect(body.tenant_access_token).toMatch(/^t-/);
    expect(body.expire).toBeGreaterThan(7190);
    expect(body.expire).toBeLessThanOrEqual(7200);
    expect(body.data).toBeUndefined();
    const b = await post(`${tenantTokenPath}/`, { app_id: creds.app_id, app_secret: creds.app_secret }, 'application/json; charset=utf-8');
    expect(b.json().tenant_access_token).toBe(body.tenant_access_token);
  });

  it('app token carries app_access_token and tenant_access_token', async () => {
    const creds = await server.newApp();
    const res = await post(appTokenPath, { app_id: creds.app_id, app_secret: creds.app_secret });
    expect(res.json()).toMatchObject({ code: 0, msg: 'ok', expire: expect.any(Number) });
    expect(res.json().app_access_token).toMatch(/^t-/);
    expect(res.json().tenant_access_token).toMatch(/^t-/);
  });

  it('bad credentials answer HTTP 200 with 10003 (malformed) or 10014 (unknown app or wrong secret)', async () => {
    const creds = await server.newApp();
    for (const body of ['', 'not json', '{}', { app_id: creds.app_id }, { app_id: 1, app_secret: 2 }]) {
      const res = await post(tenantTokenPath, body);
      expect([res.status, res.json().code], JSON.stringify(body)).toEqual([200, 10003]);
    }
    const wrong = await post(tenantTokenPath, { app_id: creds.app_id, app_secret: 'x' });
    const unknown = await post(appTokenPath, { app_id: 'cli_unknown', app_secret: creds.app_secret });
    for (const res of [wrong, unknown]) {
      expect([res.status, res.json().code, res.json().msg]).toEqual([200, 10014, 'app secret invalid']);
    }
  });
});
