import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { digestsEqual, sha256Hex } from '../../src/auth/secrets.js';
import { TokenService } from '../../src/auth/tokens.js';
import { LingoError } from '../../src/errors/lingo-error.js';
import { makeImage } from '../fixtures/images.js';
import { distinctImage, download, expectError, expectIntact } from '../helpers/hostile.js';
import { appTokenPath, downloadPath, filePart, namePart, postJson, rawUpload, request, tenantTokenPath, type RawResponse } from '../helpers/http.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

/** Reads `filename="…"` (RFC 9110 quoted-string, raw UTF-8) and `filename*=UTF-8''…` back. */
function parseDisposition(header: string): { type: string; filename?: string; filenameStar?: string; params: string[] } {
  const text = Buffer.from(header, 'latin1').toString('utf8');
  const type = text.split(';', 1)[0]!.trim();
  const params: string[] = [];
  let filename: string | undefined;
  let filenameStar: string | undefined;
  let i = type.length;
  while (i < text.length) {
    const m = /^;\s*([A-Za-z*]+)=/.exec(text.slice(i));
    if (!m) throw new Error(`unparsable Content-Disposition at ${i}: ${text}`);
    const key = m[1]!;
    params.push(key);
    i += m[0].length;
    let value = '';
    if (text[i] === '"') {
      for (i++; text[i] !== '"'; i++) {
        if (i >= text.length) throw new Error(`unterminated quoted-string: ${text}`);
        if (text[i] === '\\') i++;
        value += text[i];
      }
      i++;
    } else {
      const end = text.indexOf(';', i);
      value = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    if (key === 'filename') filename = value;
    if (key === 'filename*') filenameStar = decodeURIComponent(value.replace(/^UTF-8''/, ''));
  }
  return { type, filename, filenameStar, params };
}

describe('security', () => {
  let server: ServerWithApp;
  let token: string;
  beforeAll(async () => {
    server = await startServerWithApp();
    token = server.token;
  });
  afterAll(() => server.close());
  afterEach(() => expectIntact(server, token));

  const upload = (parts: Parameters<typeof rawUpload>[2], t = token) => rawUpload(server.baseUrl, t, parts);

  describe('content type comes from the bytes', () => {
    it('text/html part type, .html filename and name, <script> after the image: served as the image, inert', async () => {
      const png = Buffer.concat([await makeImage('png', 320, 320), Buffer.from('<html><script>alert(document.cookie)</script></html>')]);
      const res = await upload([namePart('evil.html'), { name: 'file', data: png, filename: 'evil.html', contentType: 'text/html' }]);
      expect(res.status).toBe(200);
      const dl = await download(server, token, res.json().data.file_token);
      expect(dl.status).toBe(200);
      expect(dl.headers['content-type']).toBe('image/png');
      expect(dl.headers['x-content-type-options']).toBe('nosniff');
      expect(dl.headers['content-security-policy']).toMatch(/\bsandbox\b/);
      expect(dl.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(parseDisposition(String(dl.headers['content-disposition'])).type).toBe('attachment');
      expect(dl.body.equals(png)).toBe(true);

      const gif = await makeImage('gif', 320, 320);
      const g = await upload([namePart('x.svg'), { name: 'file', data: gif, filename: 'x.svg', contentType: 'image/svg+xml' }]);
      expect((await download(server, token, g.json().data.file_token)).headers['content-type']).toBe('image/gif');
    });

    it('HTML or SVG bytes are not an image, whatever they are called', async () => {
      const html = Buffer.from('<!doctype html><script>alert(1)</script>'.padEnd(4096, ' '));
      expectError(await upload([namePart('a.png'), { name: 'file', data: html, contentType: 'image/png' }]), 400, 2250001, 'file');
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><script>alert(1)</script></svg>'.padEnd(4096, ' '));
      expectError(await upload([namePart('a.svg'), filePart(svg)]), 400, 2250001, 'file');
    });
  });

  describe('Content-Disposition', () => {
    it('names with quotes, backslashes, ; = % and path characters come back intact and cannot add parameters', async () => {
      const png = await distinctImage();
      for (const name of [
        'a"b.png',
        '"; filename="evil.exe',
        "x\\\"; filename*=UTF-8''evil.exe",
        '../../etc/passwd',
        '..\\..\\windows\\system32\\a.png',
        'a;b=c %22.png',
        '图片 "引号".png',
      ]) {
        const res = await upload([namePart(name), filePart(png)]);
        expect(res.status, name).toBe(200);
        const dl = await download(server, token, res.json().data.file_token);
        const raw = String(dl.headers['content-disposition']);
        expect(raw).not.toMatch(/[\r\n]/);
        const parsed = parseDisposition(raw);
        expect(parsed, name).toMatchObject({ type: 'attachment', filename: name, filenameStar: name, params: ['filename', 'filename*'] });
      }
    });

    it('CR, LF, NUL and other control characters in name are refused at upload (no header injection)', async () => {
      const png = await distinctImage();
      for (const name of ['a\r\nSet-Cookie: x=1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u001bb', 'a\u007fb']) {
        expectError(await upload([namePart(name), filePart(png)]), 400, 2250001, 'name');
      }
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's token cannot download a file, and learns nothing (same answer as an unknown token)", async () => {
      const a = await server.newApp({ tenantKey: 'tenant-a' });
      const b = await server.newApp({ tenantKey: 'tenant-b' });
      const sameTenant = await server.newApp({ tenantKey: 'tenant-a' });
      const ta = await server.tenantToken(a);
      const image = await distinctImage();
      const fileToken = (await upload([namePart('secret.png'), filePart(image)], ta)).json().data.file_token as string;

      const strip = (res: RawResponse) => {
        const body = res.json();
        delete body.error.log_id;
        delete body.error.troubleshooter;
        return { status: res.status, body };
      };
      const unknown = strip(await download(server, await server.tenantToken(b), 'boxbc' + 'A'.repeat(22)));
      for (const other of [await server.tenantToken(b), await server.userToken(b, ['baike:entity'])]) {
        const res = await download(server, other, fileToken);
        expectError(res, 400, 2250001, 'file_token');
        expect(strip(res)).toEqual(unknown);
        const head = await request(server.baseUrl, { method: 'HEAD', path: downloadPath(fileToken), headers: { Authorization: `Bearer ${other}` } });
        expect(head.status).toBe(400);
      }
      // Files belong to the tenant: another app of the same tenant may read them.
      const same = await download(server, await server.tenantToken(sameTenant), fileToken);
      expect(same.body.equals(image)).toBe(true);
    });
  });

  describe('no secret or token in the logs', () => {
    it('a full flow with good and bad credentials logs none of them', async () => {
      const logsBefore = server.logs.length;
      const creds = await server.newApp();
      const post = (p: string, body: unknown) => postJson(server.baseUrl, p, body);

      const tenant = (await post(tenantTokenPath, creds)).json().tenant_access_token as string;
      const appTok = (await post(appTokenPath, creds)).json().app_access_token as string;
      expect(tenant).toMatch(/^t-/);
      const wrongSecret = creds.app_secret.slice(0, -4) + 'XXXX';
      expect((await post(tenantTokenPath, { ...creds, app_secret: wrongSecret })).json().code).toBe(10014);
      const user = await server.userToken(creds, ['baike:entity']);
      const weakUser = await server.userToken(creds, ['contact:user']);
      const expiredUser = await server.userToken(creds, ['baike:entity'], 1);

      const image = await distinctImage();
      const up = await upload([namePart('flow.png'), filePart(image)], tenant);
      const ft = up.json().data.file_token as string;
      expect((await download(server, user, ft)).status).toBe(200);
      expect((await upload([namePart('u.png'), filePart(image)], user)).status).toBe(200);

      const bogusTenant = 't-' + 'f'.repeat(40);
      const bogusUser = 'u-' + 'Z'.repeat(40);
      await new Promise((r) => setTimeout(r, 1100));
      for (const bad of [bogusTenant, bogusUser, weakUser, expiredUser, creds.app_secret, wrongSecret]) {
        const res = await download(server, bad, ft);
        expect(res.status, bad).toBeGreaterThanOrEqual(400);
      }
      expect((await upload([namePart('x.png'), filePart(image)], bogusTenant)).status).toBe(400);
      expect((await request(server.baseUrl, { path: downloadPath(ft), headers: { Authorization: tenant } })).status).toBe(400);

      const logs = server.logs.join('\n');
      // This flow's own lines, not those of the tests that ran before it.
      expect(server.logs.length - logsBefore).toBeGreaterThan(10);
      for (const secret of [creds.app_secret, wrongSecret, tenant, appTok, user, weakUser, expiredUser, bogusTenant, bogusUser]) {
        expect(logs.includes(secret), `a secret or token appears in the logs`).toBe(false);
        // Nor its stored hash: rows are looked up by it.
        expect(logs.includes(sha256Hex(secret))).toBe(false);
      }
    });
  });
});

describe('secrets are compared in constant time (digestsEqual)', () => {
  it('compares whole digests, and answers false (not a throw) for different lengths or empty input', () => {
    const a = sha256Hex('secret-a');
    expect(digestsEqual(a, a)).toBe(true);
    expect(digestsEqual(a, sha256Hex('secret-b'))).toBe(false);
    expect(digestsEqual(a, a.slice(0, 62))).toBe(false);
    expect(digestsEqual(a, a + '00')).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
    expect(digestsEqual('zz', 'zz')).toBe(false);
  });

  it('is what checks an app secret (a wrong secret of any length is 10014, never a crash)', async () => {
    const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../src/auth/tokens.ts'), 'utf8');
    expect(source).toMatch(/digestsEqual\(sha256Hex\(appSecret\), app\.secretHash\)/);
    expect(source).not.toMatch(/secretHash\s*[!=]==|[!=]==\s*\w+\.secretHash/);
    const row = { appId: 'cli_x', name: 'x', secretHash: sha256Hex('right'), tenantKey: 't', type: 'self_built' as const, scopes: [], createdAtMs: 0 };
    const meta = { findApp: async () => row } as unknown as ConstructorParameters<typeof TokenService>[0];
    const tokens = new TokenService(meta);
    for (const wrong of ['', 'r', 'wrong', 'x'.repeat(1000)]) {
      await expect(tokens.issueTenantToken('cli_x', wrong)).rejects.toSatisfy((e: unknown) => e instanceof LingoError && e.key === 'appSecretInvalid');
    }
  });
});
