import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifiedTokenCacheMs } from '../../../src/auth/tokens.js';
import type { AppRow, MetaStore } from '../../../src/meta/meta-store.js';
import { MetaStoreUnavailableError } from '../../../src/meta/postgres-errors.js';
import type { PostgresMetaStore } from '../../../src/meta/postgres-meta-store.js';
import { distinctImage, download, expectError, expectStillServes } from '../../helpers/hostile.js';
import { filePart, namePart, postJson, rawUpload, request, tenantTokenPath } from '../../helpers/http.js';
import { openPostgresMetaStore } from '../../helpers/postgres-schema.js';
import { startServerWithApp, type ServerWithApp } from '../../helpers/server.js';
import { startThrowawayCluster, throwawayClusterUnavailable, type ThrowawayCluster } from './throwaway-postgres.js';

const unavailable = throwawayClusterUnavailable();
function describeWithCluster(name: string, body: () => void): void {
  if (unavailable) describe.skip(`${name} [skipped: ${unavailable}]`, body);
  else describe(name, body);
}

const app: AppRow = {
  appId: 'cli_outage',
  name: 'o',
  secretHash: 'f'.repeat(64),
  tenantKey: 't',
  type: 'self_built',
  scopes: ['baike:entity'],
  createdAtMs: 1,
};

/** How long `run` took to fail, and with what. */
async function failure(run: () => Promise<unknown>): Promise<{ ms: number; err: unknown }> {
  const started = Date.now();
  try {
    await run();
  } catch (err) {
    return { ms: Date.now() - started, err };
  }
  throw new Error('expected a failure, got an answer');
}

/** Every kind of call the store makes: plain statements, a transaction, a paged listing. */
const calls: [string, (meta: MetaStore) => Promise<unknown>][] = [
  ['findApp', (m) => m.findApp(app.appId)],
  ['insertApp', (m) => m.insertApp({ ...app, appId: 'cli_during' })],
  ['issueTenantToken', (m) => m.issueTenantToken(app.appId, 't', 0, () => ({ ...token, tokenHash: 'h-during' }))],
  ['listFiles', async (m) => void (await m.listFiles()[Symbol.asyncIterator]().next())],
  ['ping', (m) => m.ping()],
];
const token = {
  tokenHash: '',
  kind: 'tenant',
  appId: app.appId,
  tenantKey: 't',
  userId: null,
  scopes: null,
  nonce: 'n',
  issuedAtMs: 1,
  expiresAtMs: 2,
} as const;

describeWithCluster('PostgresMetaStore when the server goes away (a throwaway cluster, stopped and started)', () => {
  let cluster: ThrowawayCluster;
  let meta: PostgresMetaStore;
  const idleErrors: Error[] = [];
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    meta = openPostgresMetaStore(cluster.url(), (err) => idleErrors.push(err));
    await meta.insertApp(app);
  });
  afterAll(async () => {
    await meta?.close();
    cluster?.remove();
  });

  it('stopped: every call fails fast with MetaStoreUnavailableError, dropped idle connections do not crash the process, and the same store works once it is back', async () => {
    // Idle connections in the pool, which the stop will cut.
    await Promise.all(Array.from({ length: 8 }, () => meta.ping()));
    cluster.stop();
    for (const [name, call] of calls) {
      const { ms, err } = await failure(() => call(meta));
      expect(err, name).toBeInstanceOf(MetaStoreUnavailableError);
      expect(ms, name).toBeLessThan(3000);
    }
    expect(idleErrors.length).toBeGreaterThan(0);
    cluster.start();
    expect(await meta.findApp(app.appId)).toEqual(app);
    expect(await meta.insertApp({ ...app, appId: 'cli_after' })).toBe('ok');
  });

  it('frozen (accepts connections, never answers): calls fail within the pool bounds, not hang; then it recovers', async () => {
    await Promise.all(Array.from({ length: 4 }, () => meta.ping()));
    cluster.freeze(true);
    try {
      // An idle connection waits for its statement (query_timeout), a new one for its handshake.
      const results = await Promise.all(calls.slice(0, 4).map(([, call]) => failure(() => call(meta))));
      for (const { ms, err } of results) {
        expect(err).toBeInstanceOf(MetaStoreUnavailableError);
        expect(ms).toBeLessThan(8000);
      }
    } finally {
      cluster.freeze(false);
    }
    expect(await meta.findApp(app.appId)).toEqual(app);
  });
});

describeWithCluster('a server on PostgreSQL rows when PostgreSQL stops', () => {
  let cluster: ThrowawayCluster;
  let server: ServerWithApp;
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    // trust auth ignores the password: it is here to prove that nothing prints it.
    server = await startServerWithApp({ postgresUrl: cluster.url('pg-s3cret'), segmentBlobMaxBytes: 0 });
  });
  afterAll(async () => {
    await server?.close();
    cluster?.remove();
  });

  it('answers 500 2250002 within seconds, /readyz says meta down, and serves again once it is back, without a restart', async () => {
    const stored = await expectStillServes(server, server.token);
    // Past the verified-token cache, so that the gateway itself meets the outage.
    await new Promise((r) => setTimeout(r, verifiedTokenCacheMs + 50));
    cluster.stop();
    const started = Date.now();
    expectError(await postJson(server.baseUrl, tenantTokenPath, { app_id: server.creds.app_id, app_secret: server.creds.app_secret }), 500, 2250002);
    expectError(await download(server, server.token, stored), 500, 2250002);
    expectError(await rawUpload(server.baseUrl, server.token, [namePart('down.png'), filePart(await distinctImage())]), 500, 2250002);
    expect(Date.now() - started).toBeLessThan(6000);
    const ready = await request(server.baseUrl, { path: '/readyz' });
    expect(ready.status).toBe(503);
    expect(ready.json()).toEqual({
      status: 'unavailable',
      backends: { meta: 'postgres', blob: 'fs', ratelimit: 'memory' },
      checks: { meta: 'down', blob: 'ok' },
    });

    cluster.start();
    expect((await request(server.baseUrl, { path: '/readyz' })).status).toBe(200);
    const again = await postJson(server.baseUrl, tenantTokenPath, { app_id: server.creds.app_id, app_secret: server.creds.app_secret });
    expect(again.status).toBe(200);
    expect(again.json().code).toBe(0);
    await expectStillServes(server, server.token);
    expect(server.logs.some((l) => l.includes('internal error'))).toBe(true);
    expect(server.logs.join('\n')).not.toContain('pg-s3cret');
  });
});
