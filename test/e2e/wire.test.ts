import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, uploadPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('every response', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('errors carry X-Tt-Logid (34 chars) equal to error.log_id, a troubleshooter, canonical header casing', async () => {
    const res = await request(server.baseUrl, { method: 'POST', path: uploadPath });
    const logId = String(res.headers['x-tt-logid']);
    expect(logId).toMatch(/^\d{14}[0-9A-F]{20}$/);
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 8);
    expect(logId.startsWith(stamp)).toBe(true);
    expect(res.json().error.log_id).toBe(logId);
    expect(typeof res.json().error.troubleshooter).toBe('string');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.rawHeaderNames).toEqual(expect.arrayContaining(['X-Tt-Logid', 'Content-Type', 'Content-Length']));
  });

  it('unknown paths and known paths with the wrong method answer 404 text', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/open-apis/lingo/v1/files/upload'],
      ['PUT', '/open-apis/lingo/v1/files/upload'],
      ['POST', '/open-apis/lingo/v1/files/boxbc0000000000000000000000/download'],
      ['GET', '/open-apis/auth/v3/tenant_access_token/internal'],
      ['POST', '/open-apis/lingo/v1/files/upload/'],
    ] as const) {
      const res = await request(server.baseUrl, { method, path });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body.toString()).toBe('404 page not found');
    }
  });

  it('no API route answers without a token (enumerated from the route table)', async () => {
    const apiRoutes = server.app.routes.filter((r) => r.kind === 'api');
    expect(apiRoutes.length).toBeGreaterThanOrEqual(2);
    for (const route of apiRoutes) {
      // Turn the route pattern into a concrete path: each capture group becomes a plausible token.
      const path = route.pattern.source
        .replace(/^\^|\$$/g, '')
        .replace(/\([^)]*\)/g, 'boxbc0000000000000000000000')
        .replace(/\\\//g, '/');
      for (const method of route.methods) {
        const res = await request(server.baseUrl, { method, path });
        expect(res.status, `${method} ${path}`).toBe(400);
        if (method !== 'HEAD') expect(res.json().code).toBe(99991661);
      }
    }
  });
});
