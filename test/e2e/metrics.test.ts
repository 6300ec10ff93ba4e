import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { distinctImage, download, eventually } from '../helpers/hostile.js';
import { downloadPath, filePart, namePart, postJson, rawUpload, request, tenantTokenPath } from '../helpers/http.js';
import { scrape, type Scrape } from '../helpers/metrics.js';
import { freePort } from '../helpers/free-port.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

const upload = 'lingo.v1.file.upload';
const entityCreate = 'lingo.v1.entity.create';
const writeScopes = ['baike:entity', 'baike:entity:exempt_review'];

/** Scrapes until `check` passes: a request is observed when its response is over, just after the client has it. */
async function scrapeUntil(server: ServerWithApp, check: (after: Scrape) => void): Promise<Scrape> {
  let last: Scrape | undefined;
  await eventually(async () => {
    last = await scrape(server.baseUrl);
    check(last);
  });
  return last!;
}

const entityBody = (imageTokens: string[]) => ({
  main_keys: [{ key: 'KYC', display_status: { allow_highlight: true, allow_search: true } }],
  description: 'Know your customer',
  related_meta: { images: imageTokens.map((token) => ({ token })) },
});

describe('GET /metrics on the main port', () => {
  let server: ServerWithApp;
  beforeAll(async () => {
    server = await startServerWithApp({ rateLimitWritesPerMinute: 0 }, { scopes: writeScopes });
  });
  afterAll(() => server.close());

  it('needs no token, and carries the process metrics (event-loop lag) and the fallback counters at 0', async () => {
    const s = await scrape(server.baseUrl);
    expect(s.text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(s.text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(s.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(s.text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(s.value('lingo_rate_limit_fallback_switches_total')).toBe(0);
    expect(s.text).toMatch(/^lingo_rate_limit_fallback_active 0$/m);
    const head = await request(server.baseUrl, { method: 'HEAD', path: '/metrics' });
    expect(head.status).toBe(200);
  });

  it('requests, their latency histogram, upload bytes and backend calls move for the right operation and status', async () => {
    const before = await scrape(server.baseUrl);
    const images = [await distinctImage(), await distinctImage(), await distinctImage()];
    const tokens: string[] = [];
    for (const [i, image] of images.entries()) {
      const res = await rawUpload(server.baseUrl, server.token, [namePart(`m${i}.png`), filePart(image)]);
      expect(res.status).toBe(200);
      tokens.push(res.json().data.file_token as string);
    }
    expect((await download(server, server.token, tokens[0]!)).status).toBe(200);
    expect((await request(server.baseUrl, { path: '/readyz' })).status).toBe(200);
    expect((await request(server.baseUrl, { path: '/no/such/route' })).status).toBe(404);

    const ok = { operation: upload, status: '200' };
    const notFound = { operation: 'unknown', status: '404' };
    const after = await scrapeUntil(server, (s) =>
      expect(s.value('lingo_http_requests_total', notFound)).toBe(before.value('lingo_http_requests_total', notFound) + 1),
    );
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta('lingo_http_requests_total', ok)).toBe(3);
    expect(delta('lingo_http_request_duration_seconds_count', ok)).toBe(3);
    expect(delta('lingo_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(3);
    expect(delta('lingo_http_request_duration_seconds_sum', ok)).toBeGreaterThan(0);
    expect(delta('lingo_http_requests_total', { operation: 'lingo.v1.file.download', status: '200' })).toBe(1);
    // The whole multipart bodies: the images and their part headers.
    const imageBytes = images.reduce((n, b) => n + b.length, 0);
    expect(delta('lingo_upload_bytes_count', { status: '200' })).toBe(3);
    expect(delta('lingo_upload_bytes_sum', { status: '200' })).toBeGreaterThan(imageBytes);
    expect(delta('lingo_upload_bytes_sum', { status: '200' })).toBeLessThan(imageBytes + 3 * 1024);
    // Each upload's write, timed at the blob store's seam; the download's bytes; readyz's probes.
    expect(delta('lingo_backend_call_duration_seconds_count', { store: 'blob', backend: 'fs', method: 'publish' })).toBe(3);
    expect(delta('lingo_backend_call_duration_seconds_count', { store: 'blob', backend: 'fs', method: 'get' })).toBe(1);
    expect(delta('lingo_backend_call_duration_seconds_count', { store: 'meta', backend: 'sqlite', method: 'ping' })).toBe(1);
    expect(delta('lingo_backend_call_duration_seconds_count', { store: 'blob', backend: 'fs', method: 'ping' })).toBe(1);
    expect(delta('lingo_backend_call_errors_total', { store: 'blob', backend: 'fs', method: 'get' })).toBe(0);
    expect(delta('lingo_http_requests_total', { operation: 'readyz', status: '200' })).toBe(1);
  });

  it('a backend call that fails counts as an error of its store, backend and method', async () => {
    const res = await rawUpload(server.baseUrl, server.token, [namePart('e.png'), filePart(await distinctImage())]);
    const fileToken = res.json().data.file_token as string;
    const before = await scrape(server.baseUrl);
    const get = vi.spyOn(server.app.blobs, 'get').mockRejectedValueOnce(new Error('disk gone'));
    try {
      expect((await download(server, server.token, fileToken)).status).toBe(500);
    } finally {
      get.mockRestore();
    }
    const labels = { store: 'blob', backend: 'fs', method: 'get' };
    const after = await scrapeUntil(server, (s) =>
      expect(s.value('lingo_backend_call_errors_total', labels)).toBe(before.value('lingo_backend_call_errors_total', labels) + 1),
    );
    expect(after.value('lingo_http_requests_total', { operation: 'lingo.v1.file.download', status: '500' })).toBe(
      before.value('lingo_http_requests_total', { operation: 'lingo.v1.file.download', status: '500' }) + 1,
    );
  });

  it('a 400 counts as a validation failure of its field, indexes collapsed, once per request', async () => {
    const before = await scrape(server.baseUrl);
    const bad = await request(server.baseUrl, {
      method: 'POST',
      path: '/open-apis/lingo/v1/entities',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(entityBody(['boxbNotUploaded1', 'boxbNotUploaded2'])),
    });
    expect(bad.status).toBe(400);
    expect(bad.json().error.field_violations.map((v: { field: string }) => v.field)).toEqual(['related_meta.images[0].token', 'related_meta.images[1].token']);
    const tiny = await rawUpload(server.baseUrl, server.token, [namePart('tiny.png'), filePart(Buffer.alloc(100))]);
    expect(tiny.status).toBe(400);
    expect(tiny.json().error.field_violations[0].field).toBe('file');

    const images = { operation: entityCreate, field: 'related_meta.images[].token' };
    const file = { operation: upload, field: 'file' };
    const after = await scrapeUntil(server, (s) =>
      expect(s.value('lingo_validation_failures_total', file)).toBe(before.value('lingo_validation_failures_total', file) + 1),
    );
    expect(after.value('lingo_validation_failures_total', images) - before.value('lingo_validation_failures_total', images)).toBe(1);
    expect(after.value('lingo_http_requests_total', { operation: entityCreate, status: '400' })).toBe(1);
    expect(after.text).not.toMatch(/images\[\d/);
  });
});

describe('rate-limit refusals', () => {
  let server: ServerWithApp;
  beforeAll(async () => {
    server = await startServerWithApp({ rateLimitPerSecond: 3 });
  });
  afterAll(() => server.close());

  it('a 429 counts as a refusal of its operation, and the limiter calls are timed', async () => {
    const before = await scrape(server.baseUrl);
    // 3 per second: 8 calls in well under a second cross at most one window edge, so some are refused.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await request(server.baseUrl, { path: '/open-apis/lingo/v1/repos', headers: { Authorization: `Bearer ${server.token}` } })).status);
    }
    const refused = statuses.filter((s) => s === 429).length;
    expect(refused).toBeGreaterThan(0);
    const op = { operation: 'lingo.v1.repo.list' };
    const after = await scrapeUntil(server, (s) =>
      expect(s.value('lingo_http_requests_total', { ...op, status: '429' }) - before.value('lingo_http_requests_total', { ...op, status: '429' })).toBe(
        refused,
      ),
    );
    expect(after.value('lingo_rate_limit_refusals_total', op) - before.value('lingo_rate_limit_refusals_total', op)).toBe(refused);
    expect(after.value('lingo_rate_limit_refusals_total', { operation: 'lingo.v1.file.upload' })).toBe(0);
    const take = { store: 'ratelimit', backend: 'memory', method: 'take' };
    expect(after.value('lingo_backend_call_duration_seconds_count', take) - before.value('lingo_backend_call_duration_seconds_count', take)).toBe(8);
  });
});

describe('--metrics-port', () => {
  let server: ServerWithApp;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startServerWithApp({ metricsPort });
  });
  afterAll(() => server.close());

  it('serves /metrics only there; the main port answers 404 for it', async () => {
    const main = await request(server.baseUrl, { path: '/metrics' });
    expect(main.status).toBe(404);
    expect(main.body.toString()).toBe('404 page not found');
    const metricsBase = `http://127.0.0.1:${metricsPort}`;
    const s = await scrape(metricsBase);
    // The main port's 404 for /metrics is itself a request of operation unknown.
    expect(s.value('lingo_http_requests_total', { operation: 'unknown', status: '404' })).toBe(1);
    expect((await request(metricsBase, { path: '/healthz' })).status).toBe(404);
    expect((await request(metricsBase, { method: 'POST', path: '/metrics' })).status).toBe(404);
  });
});

describe('no token, secret or password in the scrape', () => {
  it('after a flow with tenant, user and bogus tokens and an app secret, some refused (429)', async () => {
    const server = await startServerWithApp({ rateLimitPerSecond: 1 }, { scopes: writeScopes });
    try {
      const tenant = (await postJson(server.baseUrl, tenantTokenPath, server.creds)).json().tenant_access_token as string;
      const user = await server.userToken(server.creds, ['baike:entity']);
      const image = await makeImage('png', 320, 320);
      const up = await rawUpload(server.baseUrl, tenant, [namePart('s.png'), filePart(image)]);
      const ft = up.json().data.file_token as string;
      for (const token of [tenant, user, server.creds.app_secret, 't-' + 'f'.repeat(40)]) {
        await request(server.baseUrl, { path: downloadPath(ft), headers: { Authorization: `Bearer ${token}` } });
        await request(server.baseUrl, { path: `/open-apis/lingo/v1/files/${token}/download`, headers: { Authorization: `Bearer ${token}` } });
      }
      const s = await scrape(server.baseUrl);
      for (const secret of [tenant, user, server.token, server.creds.app_secret, ft])
        expect(s.text.includes(secret), 'a token or secret in /metrics').toBe(false);
      expect(s.text).not.toMatch(/Bearer|authorization/i);
    } finally {
      await server.close();
    }
  });
});
