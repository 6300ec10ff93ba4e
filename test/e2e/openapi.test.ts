import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { filePart, namePart, postJson, rawUpload, request, tenantTokenPath, type RawResponse } from '../helpers/http.js';
import { classificationTree, companyRepoId, newWriter, writerScopes, type Writer } from '../helpers/lingo-entities.js';
import { expectDocumented, operationOf, type Doc } from '../helpers/openapi.js';
import { startServer, startServerWithApp, type TestServer } from '../helpers/server.js';

/**
 * GET /openapi.json over a socket, and real answers of a real server checked against the
 * schemas that document declares for them: a field the server sends that the document does not
 * know, or a status it does not list, fails here.
 */
const entities = '/open-apis/lingo/v1/entities';
const entity = '/open-apis/lingo/v1/entities/{entity_id}';
const key = () => `k${Math.random().toString(36).slice(2, 10)}`;
const entityBody = (k = key()) => ({ main_keys: [{ key: k, display_status: { allow_highlight: true, allow_search: true } }], description: `${k} term` });

function actual(res: RawResponse) {
  return { status: res.status, headers: res.headers, body: res.body.length > 0 ? res.json() : undefined };
}

async function fetchDocument(server: TestServer): Promise<Doc> {
  const res = await request(server.baseUrl, { path: '/openapi.json' });
  expect(res.status).toBe(200);
  return res.json();
}

describe('GET /openapi.json', () => {
  let server: TestServer;
  let doc: Doc;
  let w: Writer;
  const api = (method: string, path: string, body?: unknown) =>
    request(server.baseUrl, {
      method,
      path,
      headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    server = await startServer();
    w = await newWriter(server, { scopes: [...writerScopes, 'baike:entity'] });
    doc = await fetchDocument(server);
  });
  afterAll(() => server?.close());

  it('answers 200 application/json without a token, HEAD too, and describes itself', async () => {
    const res = await request(server.baseUrl, { path: '/openapi.json' });
    expect([res.status, res.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
    expect(res.headers['x-tt-logid']).toMatch(/^[0-9]{14}[0-9A-F]{20}$/);
    expect(res.json()).toEqual(doc);
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect([doc.openapi, doc.info.version, Object.keys(doc.paths as Doc).length]).toEqual(['3.1.0', pkg.version, 17]);
    expectDocumented(doc, 'GET', '/openapi.json', actual(res));
    const head = await request(server.baseUrl, { method: 'HEAD', path: '/openapi.json' });
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, res.headers['content-length']]);
    expect(operationOf(doc, 'POST', entities).security).toEqual([{ tenantAccessToken: [] }]);
  });

  it('entity create, get, delete and a 400 with field_violations answer as documented', async () => {
    const created = await api('POST', entities, entityBody());
    expect(created.status).toBe(200);
    expectDocumented(doc, 'POST', entities, actual(created));
    const id = created.json().data.entity.id as string;
    const got = await api('GET', `${entities}/${id}`);
    expectDocumented(doc, 'GET', entity, actual(got));
    expect(got.json().data.entity.id).toBe(id);

    const refused = await api('POST', entities, { main_keys: [{ key: '' }], rich_text: '<b>no paragraph</b>' });
    expect([refused.status, refused.json().code]).toEqual([400, 2250001]);
    expect(refused.json().error.field_violations.length).toBeGreaterThan(1);
    expectDocumented(doc, 'POST', entities, actual(refused));

    const deleted = await api('DELETE', `${entities}/${id}`);
    expectDocumented(doc, 'DELETE', entity, actual(deleted));
    const gone = await api('GET', `${entities}/${id}`);
    expect([gone.status, gone.json().error.field_violations[0].field]).toEqual([400, 'entity_id']);
    expectDocumented(doc, 'GET', entity, actual(gone));
  });

  it('a list page with page_token, the last page without it, search, match and highlight answer as documented', async () => {
    const other = await newWriter(server, { scopes: [...writerScopes, 'baike:entity'] });
    const mine = (method: string, path: string, body?: unknown) =>
      request(server.baseUrl, {
        method,
        path,
        headers: { Authorization: `Bearer ${other.token}` },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const keys = [key(), key(), key()];
    for (const k of keys) expect((await mine('POST', entities, entityBody(k))).status).toBe(200);
    const first = await mine('GET', `${entities}?page_size=2`);
    expect([first.json().data.has_more, typeof first.json().data.page_token]).toEqual([true, 'string']);
    expectDocumented(doc, 'GET', entities, actual(first));
    const last = await mine('GET', `${entities}?page_size=2&page_token=${first.json().data.page_token as string}`);
    expect(last.json().data).not.toHaveProperty('page_token');
    expectDocumented(doc, 'GET', entities, actual(last));

    expectDocumented(doc, 'POST', `${entities}/search`, actual(await mine('POST', `${entities}/search?page_size=1`, { query: keys[0] })));
    const matched = await mine('POST', `${entities}/match`, { word: keys[1] });
    expect(matched.json().data.results).toHaveLength(1);
    expectDocumented(doc, 'POST', `${entities}/match`, actual(matched));
    const highlighted = await mine('POST', `${entities}/highlight`, { text: `see ${keys[2]} here` });
    expect(highlighted.json().data.phrases).toHaveLength(1);
    expectDocumented(doc, 'POST', `${entities}/highlight`, actual(highlighted));
  });

  it('repos, classifications, drafts, tokens and health answer as documented', async () => {
    expectDocumented(doc, 'GET', '/open-apis/lingo/v1/repos', actual(await api('GET', '/open-apis/lingo/v1/repos')));
    await classificationTree(server, await companyRepoId(server, w), 'Tech', ['AI']);
    const classes = await api('GET', '/open-apis/lingo/v1/classifications');
    expect(classes.json().data.items).toHaveLength(2);
    expectDocumented(doc, 'GET', '/open-apis/lingo/v1/classifications', actual(classes));
    const draft = await api('POST', '/open-apis/lingo/v1/drafts', entityBody());
    expectDocumented(doc, 'POST', '/open-apis/lingo/v1/drafts', actual(draft));
    const draftId = draft.json().data.draft.draft_id as string;
    expectDocumented(doc, 'PUT', '/open-apis/lingo/v1/drafts/{draft_id}', actual(await api('PUT', `/open-apis/lingo/v1/drafts/${draftId}`, entityBody())));

    const token = await postJson(server.baseUrl, tenantTokenPath, { app_id: w.creds.app_id, app_secret: w.creds.app_secret });
    expectDocumented(doc, 'POST', tenantTokenPath, actual(token));
    const badSecret = await postJson(server.baseUrl, tenantTokenPath, { app_id: w.creds.app_id, app_secret: 'wrong' });
    expect([badSecret.status, badSecret.json().code]).toEqual([200, 10014]);
    expectDocumented(doc, 'POST', tenantTokenPath, actual(badSecret));
    const noToken = await request(server.baseUrl, { path: '/open-apis/lingo/v1/repos' });
    expect([noToken.status, noToken.json().code]).toEqual([400, 99991661]);
    expectDocumented(doc, 'GET', '/open-apis/lingo/v1/repos', actual(noToken));
    // The scope error's message, as x-lark-error-mappings gives it for this operation.
    const reader = await newWriter(server, { scopes: ['baike:entity:readonly'] });
    const denied = await request(server.baseUrl, { method: 'POST', path: entities, headers: { Authorization: `Bearer ${reader.token}` }, body: '{}' });
    expect([denied.status, denied.json().code]).toEqual([400, 99991672]);
    expectDocumented(doc, 'POST', entities, actual(denied));
    expect(operationOf(doc, 'POST', entities)['x-lark-error-mappings']).toContainEqual({ code: 99991672, httpCode: 400, msg: denied.json().msg });
    const userToken = await server.userToken(w.creds, ['baike:entity:exempt_review']);
    const userRefused = await request(server.baseUrl, { method: 'POST', path: entities, headers: { Authorization: `Bearer ${userToken}` }, body: '{}' });
    expect([userRefused.status, userRefused.json().msg]).toEqual([400, 'user access token not support']);
    expectDocumented(doc, 'POST', entities, actual(userRefused));
    for (const path of ['/healthz', '/readyz']) expectDocumented(doc, 'GET', path, actual(await request(server.baseUrl, { path })));
  });

  it('upload and download answer as documented, the download with its declared headers and media type', async () => {
    const uploaded = await rawUpload(server.baseUrl, w.token, [namePart('图.png'), filePart(await makeImage('png', 320, 320))]);
    expectDocumented(doc, 'POST', '/open-apis/lingo/v1/files/upload', actual(uploaded));
    const fileToken = uploaded.json().data.file_token as string;
    const download = operationOf(doc, 'GET', '/open-apis/lingo/v1/files/{file_token}/download');
    const res = await request(server.baseUrl, { path: `/open-apis/lingo/v1/files/${fileToken}/download`, headers: { Authorization: `Bearer ${w.token}` } });
    expect(res.status).toBe(200);
    expect(Object.keys(download.responses['200'].content as Doc)).toContain(res.headers['content-type']);
    for (const [name, header] of Object.entries(download.responses['200'].headers as Record<string, Doc>)) {
      if (header.required) expect(res.headers[name.toLowerCase()], name).toBeDefined();
    }
    const unknown = await request(server.baseUrl, {
      path: `/open-apis/lingo/v1/files/boxbc${'0'.repeat(22)}/download`,
      headers: { Authorization: `Bearer ${w.token}` },
    });
    expectDocumented(doc, 'GET', '/open-apis/lingo/v1/files/{file_token}/download', actual(unknown));
  });
});

describe('a 429', () => {
  let server: TestServer & { token: string };
  beforeAll(async () => {
    server = await startServerWithApp({ rateLimitPerMinute: 1 }, { scopes: ['baike:entity'] });
  });
  afterAll(() => server?.close());

  it('answers as documented, with the rate-limit headers', async () => {
    const doc = await fetchDocument(server);
    const get = () => request(server.baseUrl, { path: '/open-apis/lingo/v1/repos', headers: { Authorization: `Bearer ${server.token}` } });
    // One a minute: of three calls, at most two fall in different minutes.
    const statuses: number[] = [];
    let refused: RawResponse | undefined;
    for (let i = 0; i < 3 && !refused; i++) {
      const res = await get();
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(refused, `statuses ${statuses.join(',')}`).toBeDefined();
    expect(refused!.json().code).toBe(99991400);
    expectDocumented(doc, 'GET', '/open-apis/lingo/v1/repos', actual(refused!));
  });
});
