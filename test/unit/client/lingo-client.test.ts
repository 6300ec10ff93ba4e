import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/client/api-error.js';
import { uploadImage } from '../../../src/client/image-upload.js';
import { LingoClient, defaultRetryPolicy, type RetryPolicy } from '../../../src/client/lingo-client.js';
import { busyAnswer, faultyProxy, isUpload } from '../../helpers/client-cli.js';
import { distinctImage } from '../../helpers/hostile.js';
import { freePort } from '../../helpers/free-port.js';
import { startServerWithApp, type ServerWithApp } from '../../helpers/server.js';

const quick: RetryPolicy = { ...defaultRetryPolicy, serverRetries: 2, firstBackoffMs: 5, maxBackoffMs: 20 };
const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';

async function candidate() {
  const bytes = await distinctImage();
  return { path: '/x.png', name: 'x.png', bytes, sha256: '' };
}

describe('LingoClient against a real server behind a real HTTP hop', () => {
  let server: ServerWithApp;
  beforeAll(async () => {
    server = await startServerWithApp();
  });
  afterAll(() => server.close());

  const clientVia = (baseUrl: string, policy = quick): LingoClient =>
    new LingoClient({ server: baseUrl, appId: server.creds.app_id, appSecret: server.creds.app_secret }, policy);

  it("gives up on 2250002 after the retries the policy allows, with the server's answer", async () => {
    const proxy = await faultyProxy(server.baseUrl, { matches: isUpload, times: 100, ...busyAnswer });
    try {
      const client = clientVia(proxy.baseUrl);
      const err = await uploadImage(client, await candidate()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 500, code: 2250002 });
      expect(proxy.faulted).toBe(1 + quick.serverRetries);
      expect(client.stats).toEqual({ rateLimitWaits: 0, serverRetries: quick.serverRetries });
    } finally {
      await proxy.close();
    }
  });

  it('does not retry what the server refused (400 2250001): it is the request that must change', async () => {
    const client = clientVia(server.baseUrl);
    const tiny = { path: '/t.png', name: 't.png', bytes: Buffer.from('tiny'), sha256: '' };
    const err = (await uploadImage(client, tiny).catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ status: 400, code: 2250001 });
    expect(err.isInvalidParam).toBe(true);
    expect(err.fieldViolations[0]?.field).toBe('file');
    expect(client.stats.serverRetries).toBe(0);
  });

  it('fetches a new tenant token once when the server calls the current one invalid, and carries on', async () => {
    const stale = { status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } };
    const proxy = await faultyProxy(server.baseUrl, { matches: isUpload, times: 1, ...stale });
    try {
      const client = clientVia(proxy.baseUrl);
      expect(await uploadImage(client, await candidate())).toMatch(/^box/);
      expect(proxy.paths).toEqual([tokenPath, '/open-apis/lingo/v1/files/upload', tokenPath, '/open-apis/lingo/v1/files/upload']);
    } finally {
      await proxy.close();
    }
  });

  it('shares one token between concurrent requests', async () => {
    const proxy = await faultyProxy(server.baseUrl, { matches: () => false, times: 0, ...busyAnswer });
    try {
      const client = clientVia(proxy.baseUrl);
      await Promise.all([1, 2, 3].map(async () => uploadImage(client, await candidate())));
      expect(proxy.paths.filter((p) => p === tokenPath)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('a server that is not there: the connection error after the retries, bounded', async () => {
    const port = await freePort();
    const client = new LingoClient({ server: `http://127.0.0.1:${port}`, appId: 'a', appSecret: 's' }, quick);
    await expect(client.signIn()).rejects.toThrow(
      `no tenant access token from http://127.0.0.1:${port}: POST /open-apis/auth/v3/tenant_access_token/internal: fetch failed (ECONNREFUSED)`,
    );
    expect(client.stats.serverRetries).toBe(quick.serverRetries);
  });

  it('refuses a --server that is not an http(s) URL', () => {
    expect(() => new LingoClient({ server: 'ftp://x', appId: 'a', appSecret: 's' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => new LingoClient({ server: 'localhost:8080x', appId: 'a', appSecret: 's' })).toThrow();
  });
});
