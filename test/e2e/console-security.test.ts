import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCsp } from '../../src/console/console-http.js';
import { signInConsole, type ConsoleClient } from '../helpers/console.js';
import { entityData } from '../helpers/lingo.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

// The console's doors (issue #19): a session cookie opens /console/api and nothing else, a bearer
// token opens nothing of the console, and every change needs the session's CSRF token and a
// same-origin request.
describe('console security over HTTP', () => {
  let server: ServerWithApp;
  let admin: ConsoleClient;
  beforeAll(async () => {
    server = await startServerWithApp({}, { scopes: ['baike:entity', 'baike:entity:exempt_review'] });
    admin = await signInConsole(server, server.creds.tenant_key);
  });
  afterAll(() => server.close());

  const codeOf = async (res: Response) => ((await res.json()) as { code: number }).code;

  it('no console API without a session: 401 2259001 JSON, never a redirect, CSP exact', async () => {
    for (const [method, path] of [
      ['GET', '/console/api/session'],
      ['GET', '/console/api/entities'],
      ['GET', '/console/api/drafts'],
      ['GET', '/console/api/files'],
      ['POST', '/console/api/repos'],
    ] as const) {
      const res = await fetch(`${server.baseUrl}${path}`, { method, redirect: 'manual' });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('content-security-policy')).toBe(consoleCsp);
      expect(await codeOf(res)).toBe(2259001);
    }
  });

  it('no console page without a session: 303 to sign-in; the sign-in page itself is served with the exact CSP', async () => {
    const page = await fetch(`${server.baseUrl}/console/entries`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/sign-in');
    const signIn = await fetch(`${server.baseUrl}/console/sign-in`, { redirect: 'manual' });
    expect([200, 503]).toContain(signIn.status);
    expect(signIn.headers.get('content-security-policy')).toBe(consoleCsp);
    expect(signIn.headers.get('x-content-type-options')).toBe('nosniff');
    expect(signIn.headers.get('referrer-policy')).toBe('no-referrer');
    expect(consoleCsp).not.toMatch(/unsafe-/);
  });

  it('the session cookie is HttpOnly, SameSite=Strict, on /console; Secure only over TLS (X-Forwarded-Proto)', async () => {
    const { token } = await server.app.console.issueToken(server.creds.tenant_key, 60);
    const plain = await fetch(`${server.baseUrl}/console/api/session`, { method: 'POST', body: JSON.stringify({ console_token: token }) });
    expect(plain.status).toBe(200);
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^lingo_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const tls = await fetch(`${server.baseUrl}/console/api/session`, {
      method: 'POST',
      headers: { 'X-Forwarded-Proto': 'https' },
      body: JSON.stringify({ console_token: token }),
    });
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('a wrong or expired console token: 401 2259002', async () => {
    const res = await fetch(`${server.baseUrl}/console/api/session`, { method: 'POST', body: JSON.stringify({ console_token: 'lc-nope' }) });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe(2259002);
  });

  it('CSRF: a change without the token, with another session’s token, or cross-site is refused 403 2259003', async () => {
    const other = await signInConsole(server, server.creds.tenant_key);
    const attempts: [string, RequestInit & { csrf?: boolean; json?: unknown }][] = [
      ['no token', { method: 'POST', csrf: false, json: { name: 'x' } }],
      ['other session token', { method: 'POST', csrf: false, headers: { 'X-Console-Csrf': other.csrf }, json: { name: 'x' } }],
      ['cross-site fetch metadata', { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' }, json: { name: 'x' } }],
      ['foreign origin', { method: 'POST', headers: { Origin: 'https://evil.example' }, json: { name: 'x' } }],
    ];
    for (const [why, init] of attempts) {
      const res = await admin.call('/console/api/repos', init);
      expect(res.status, why).toBe(403);
      expect(await codeOf(res), why).toBe(2259003);
    }
    const signInCrossSite = await fetch(`${server.baseUrl}/console/api/session`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example' },
      body: JSON.stringify({ console_token: 'lc-whatever' }),
    });
    expect(signInCrossSite.status).toBe(403);
    const ok = await admin.call('/console/api/repos', {
      method: 'POST',
      headers: { Origin: server.baseUrl, 'Sec-Fetch-Site': 'same-origin' },
      json: { name: 'kept' },
    });
    expect(ok.status).toBe(200);
    expect(await codeOf(ok)).toBe(0);
  });

  it('a console session cookie never authorises /open-apis', async () => {
    const res = await fetch(`${server.baseUrl}/open-apis/lingo/v1/repos`, { headers: { Cookie: admin.cookie, 'X-Console-Csrf': admin.csrf } });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe(99991661);
  });

  it('a bearer token never opens the console', async () => {
    const api = await fetch(`${server.baseUrl}/console/api/entities`, { headers: { Authorization: `Bearer ${server.token}` } });
    expect(api.status).toBe(401);
    expect(await codeOf(api)).toBe(2259001);
    const page = await fetch(`${server.baseUrl}/console/entries`, { headers: { Authorization: `Bearer ${server.token}` }, redirect: 'manual' });
    expect(page.status).toBe(303);
  });

  it('signed out, the cookie no longer works', async () => {
    const c = await signInConsole(server, server.creds.tenant_key);
    expect((await c.call('/console/api/session', { method: 'DELETE' })).status).toBe(200);
    const after = await c.call('/console/api/session');
    expect(after.status).toBe(401);
  });

  it('validation messages are the API’s, and a session sees only its own tenant', async () => {
    const bad = await admin.call('/console/api/entities', { method: 'POST', json: { main_keys: [] } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { code: number; error: { field_violations: { field: string }[] } };
    expect(body.code).toBe(2250001);
    expect(body.error.field_violations.length).toBeGreaterThan(0);
    const stranger = await server.newApp();
    const otherTenant = await signInConsole(server, stranger.tenant_key);
    const made = await admin.call('/console/api/entities', {
      method: 'POST',
      json: entityData('Tenancy'),
    });
    expect(made.status).toBe(200);
    const id = ((await made.json()) as { data: { entity: { id: string } } }).data.entity.id;
    const seen = await otherTenant.call(`/console/api/entities/${id}`);
    expect(seen.status).toBe(400);
    expect(await codeOf(seen)).toBe(2250001);
  });
});
