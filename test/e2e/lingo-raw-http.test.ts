import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntity, entitiesPath, entityData, newWriter, type Writer } from '../helpers/lingo-entities.js';
import { request, type RawResponse } from '../helpers/http.js';
import { createTestSchema } from '../helpers/postgres-schema.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { describeWithServices } from '../helpers/services.js';

/** What the SDK cannot send (spec §1.3, §16; issue #17 "Raw HTTP"), on the JSON entity routes. */
describe('entity routes over raw HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  /**
   * With Content-Length whenever there is a body: node:http sends a GET or DELETE body without
   * any framing otherwise, and the server would rightly read it as the next request.
   */
  const send = (w: Writer, method: string, path: string, body?: Buffer | string): Promise<RawResponse> => {
    const length: Record<string, number> = body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) };
    return request(server.baseUrl, { method, path, headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json', ...length }, body });
  };

  /** 400 2250001 whose field_violations name exactly `fields`. */
  function expectFields(res: RawResponse, fields: string[], label?: string): void {
    const body = res.json<{ code: number; error?: { field_violations?: { field: string }[] } }>();
    expect([res.status, body.code], label).toEqual([400, 2250001]);
    expect((body.error?.field_violations ?? []).map((v) => v.field).sort(), label).toEqual([...fields].sort());
  }

  it('malformed JSON, a non-object, a BOM or invalid UTF-8: 400 2250001 on body, on every JSON route', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    const targets: [string, string][] = [
      ['POST', entitiesPath],
      ['PUT', `${entitiesPath}/${e.id}`],
      ['POST', `${entitiesPath}/match`],
      ['POST', `${entitiesPath}/search`],
      ['POST', `${entitiesPath}/highlight`],
    ];
    const bodies: [string, Buffer | string][] = [
      ['truncated', '{"main_keys": ['],
      ['trailing comma', '{"word": "KYC",}'],
      ['single quotes', "{'word': 'KYC'}"],
      ['an array', '[]'],
      ['a string', '"KYC"'],
      ['null', 'null'],
      ['a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ];
    for (const [method, path] of targets) {
      for (const [name, body] of bodies) expectFields(await send(w, method, path, body), ['body'], `${method} ${path}: ${name}`);
    }
    expect((await send(w, 'GET', `${entitiesPath}/${e.id}`)).json().data.entity.main_keys[0].key).toBe('KYC');
  });

  it('a wrong type names its field', async () => {
    const w = await newWriter(server);
    const cases: [string, string, unknown, string[]][] = [
      ['POST', entitiesPath, { main_keys: 'KYC', description: 'd' }, ['main_keys']],
      ['POST', entitiesPath, { ...entityData('k'), description: 42 }, ['description']],
      ['POST', entitiesPath, { ...entityData('k'), aliases: { key: 'a' } }, ['aliases']],
      ['POST', entitiesPath, { ...entityData('k'), aliases: ['a'] }, ['aliases[0]']],
      [
        'POST',
        entitiesPath,
        { main_keys: [{ key: 'k', display_status: { allow_highlight: 'yes', allow_search: true } }], description: 'd' },
        ['main_keys[0].display_status.allow_highlight'],
      ],
      [
        'POST',
        entitiesPath,
        { main_keys: [{ key: 7, display_status: { allow_highlight: true, allow_search: true } }], description: 'd' },
        ['main_keys[0].key'],
      ],
      ['POST', entitiesPath, { main_keys: [{ key: 'k' }], description: 'd' }, ['main_keys[0].display_status']],
      ['POST', entitiesPath, { ...entityData('k'), outer_info: 'crm:1' }, ['outer_info']],
      ['POST', entitiesPath, { ...entityData('k'), outer_info: { provider: 'crm', outer_id: 1 } }, ['outer_info.outer_id']],
      ['POST', entitiesPath, { ...entityData('k'), related_meta: { images: 'boxbc' } }, ['related_meta.images']],
      ['POST', entitiesPath, { ...entityData('k'), related_meta: [] }, ['related_meta']],
      ['POST', entitiesPath, { ...entityData('k'), i18n_descs: [{ language: '2', description: 'd' }] }, ['i18n_descs[0].language']],
      ['POST', `${entitiesPath}/match`, { word: ['KYC'] }, ['word']],
      ['POST', `${entitiesPath}/highlight`, { text: 12 }, ['text']],
      ['POST', `${entitiesPath}/search`, { query: 12 }, ['query']],
      ['POST', `${entitiesPath}/search`, { sources: '4' }, ['sources']],
      ['POST', `${entitiesPath}/search`, { creators: 'ou_1' }, ['creators']],
      ['POST', `${entitiesPath}/search`, { classification_filter: { include: 'x' } }, ['classification_filter.include']],
    ];
    for (const [method, path, body, fields] of cases) expectFields(await send(w, method, path, JSON.stringify(body)), fields, JSON.stringify(body));
    const list = (await send(w, 'GET', entitiesPath)).json();
    expect(list.data.entities).toEqual([]);
  });

  it('an empty create body names what is required', async () => {
    const w = await newWriter(server);
    expectFields(await send(w, 'POST', entitiesPath, ''), ['main_keys', 'description']);
    expectFields(await send(w, 'POST', entitiesPath, '{}'), ['main_keys', 'description']);
  });

  it('a body over 256 KiB: 400 on body, whether announced by Content-Length or chunked', async () => {
    const w = await newWriter(server);
    const huge = JSON.stringify({ ...entityData('k'), padding: 'x'.repeat(300 * 1024) });
    expectFields(await send(w, 'POST', entitiesPath, huge), ['body'], 'content-length');
    const chunked = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request(new URL(entitiesPath, server.baseUrl), {
        method: 'POST',
        agent: false,
        headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaderNames: [], body, json: () => JSON.parse(body.toString('utf8')) });
        });
      });
      // The server answers and closes before it has read all: the rest of our writes may fail.
      req.on('error', reject);
      for (let i = 0; i < 300; i++) req.write('x'.repeat(1024));
      req.end();
    }).catch((err: unknown) => err as Error);
    if (chunked instanceof Error) expect((chunked as NodeJS.ErrnoException).code).toMatch(/^(EPIPE|ECONNRESET)$/);
    else expectFields(chunked, ['body'], 'chunked');
    // Nothing was written, and the server still answers.
    expect((await send(w, 'GET', entitiesPath)).json().data.entities).toEqual([]);
  });

  it('a body just under the cap is read', async () => {
    const w = await newWriter(server);
    const body = JSON.stringify({ ...entityData('k'), padding: 'x'.repeat(250 * 1024) });
    const res = await send(w, 'POST', entitiesPath, body);
    expect([res.status, res.json().code]).toEqual([200, 0]);
  });

  it('bodies on GET and DELETE are accepted and ignored', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    for (const body of ['{}', '{"entity_id":"enterprise_1","page_size":1}', 'not json at all']) {
      const got = await send(w, 'GET', `${entitiesPath}/${e.id}`, body);
      expect([got.status, got.json().data.entity.id], body).toEqual([200, e.id]);
      const list = await send(w, 'GET', `${entitiesPath}?page_size=5`, body);
      expect([list.status, list.json().data.entities.length], body).toEqual([200, 1]);
    }
    const deleted = await send(w, 'DELETE', `${entitiesPath}/${e.id}`, '{}');
    expect([deleted.status, deleted.json()]).toEqual([200, { code: 0, msg: 'success', data: {} }]);
    expect((await send(w, 'GET', entitiesPath, '{}')).json().data.entities).toEqual([]);
  });

  it('every success and failure carries X-Tt-Logid, and a 2250001 names its log_id', async () => {
    const w = await newWriter(server);
    const ok = await send(w, 'POST', entitiesPath, JSON.stringify(entityData('k')));
    const bad = await send(w, 'POST', entitiesPath, '{');
    for (const res of [ok, bad]) expect(res.rawHeaderNames).toContain('X-Tt-Logid');
    expect(bad.json().error.log_id).toBe(bad.headers['x-tt-logid']);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('the withdrawn paths of §16 answer exactly like an unknown route', async () => {
    const w = await newWriter(server);
    const unknown = await send(w, 'POST', '/open-apis/lingo/v1/no_such_thing', '{}');
    expect(unknown.status).toBe(404);
    const withdrawn: [string, string][] = [
      ['POST', `${entitiesPath}/extract`],
      ['POST', `${entitiesPath}/batch_highlight`],
      ['GET', '/open-apis/lingo/v1/statistical_report?date_interval=7'],
      ['POST', '/open-apis/lingo/v1/statistical_report'],
      ['DELETE', '/open-apis/lingo/v1/statistical_report'],
      ['GET', '/open-apis/lingo/v1/entity_card?entity_ids=enterprise_1'],
      ['POST', '/open-apis/lingo/v1/aigc/generate_entity'],
    ];
    for (const [method, path] of withdrawn) {
      for (const res of [await send(w, method, path, '{"texts":["a"]}'), await request(server.baseUrl, { method, path })]) {
        expect(res.status, `${method} ${path}`).toBe(unknown.status);
        expect(res.headers['content-type'], `${method} ${path}`).toBe(unknown.headers['content-type']);
        expect(res.body.toString(), `${method} ${path}`).toBe(unknown.body.toString());
      }
    }
  });
});

/**
 * U+0000 is valid JSON but PostgreSQL text cannot hold it: sent on to the store it failed the
 * statement, a 500 for what is the client's bad value. Every backend refuses it by field.
 */
function nulIsRefusedByField(start: () => Promise<{ server: TestServer; stop: () => Promise<void> }>): void {
  let server: TestServer;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ server, stop } = await start());
  });
  afterAll(() => stop());

  it('a NUL in a body string or a query parameter: 400 2250001 on that field, never a 500', async () => {
    const w = await newWriter(server);
    const send = (method: string, path: string, body?: unknown): Promise<RawResponse> => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const length: Record<string, number> = text === undefined ? {} : { 'Content-Length': Buffer.byteLength(text) };
      return request(server.baseUrl, {
        method,
        path,
        headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json', ...length },
        body: text,
      });
    };
    const nul = 'a\u0000b';
    const cases: [string, string, unknown, string][] = [
      [
        'POST',
        entitiesPath,
        { ...entityData('k'), main_keys: [{ key: nul, display_status: { allow_highlight: true, allow_search: true } }] },
        'main_keys[0].key',
      ],
      ['POST', entitiesPath, entityData('k', { description: nul }), 'description'],
      ['POST', entitiesPath, entityData('k', { aliases: [{ key: nul, display_status: { allow_highlight: true, allow_search: true } }] }), 'aliases[0].key'],
      ['POST', entitiesPath, entityData('k', { outer_info: { provider: nul, outer_id: 'x' } }), 'outer_info.provider'],
      ['POST', entitiesPath, entityData('k', { related_meta: { images: [{ token: nul }] } }), 'related_meta.images[0].token'],
      ['POST', entitiesPath, entityData('k', { related_meta: { users: [{ id: nul }] } }), 'related_meta.users[0].id'],
      ['POST', `${entitiesPath}/search`, { query: nul }, 'query'],
      ['POST', `${entitiesPath}/search`, { creators: [nul] }, 'creators[0]'],
      ['POST', `${entitiesPath}/match`, { word: nul }, 'word'],
      ['POST', `${entitiesPath}/highlight`, { text: nul }, 'text'],
      ['GET', `${entitiesPath}?provider=a%00b`, undefined, 'provider'],
      ['GET', `${entitiesPath}/enterprise_0?provider=crm&outer_id=a%00b`, undefined, 'outer_id'],
      ['DELETE', `${entitiesPath}/enterprise_0?provider=a%00b&outer_id=x`, undefined, 'provider'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await send(method, path, body);
      const label = `${method} ${path} ${JSON.stringify(body) ?? ''}`;
      expect([res.status, res.json().code], label).toEqual([400, 2250001]);
      expect(
        res.json().error.field_violations.map((v: { field: string }) => v.field),
        label,
      ).toEqual([field]);
    }
    // An unknown field is still ignored, whatever it holds.
    const ok = await send('POST', entitiesPath, { ...entityData('k'), ignored: nul });
    expect([ok.status, ok.json().code]).toEqual([200, 0]);
  });
}

describe('NUL characters on SQLite', () =>
  nulIsRefusedByField(async () => {
    const server = await startServer();
    return { server, stop: () => server.close() };
  }));

describeWithServices(['postgres'], 'NUL characters on PostgreSQL', () =>
  nulIsRefusedByField(async () => {
    const schema = await createTestSchema('lingo_e2e_nul_');
    const server = await startServer({ meta: 'postgres', postgresUrl: schema.url });
    return {
      server,
      stop: async () => {
        await server.close();
        await schema.drop();
      },
    };
  }),
);
