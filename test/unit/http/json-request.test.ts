import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LingoError } from '../../../src/errors/lingo-error.js';
import type { RequestContext } from '../../../src/http/context.js';
import { discardBody, maxJsonRequestBytes, parseJsonObject, readJsonObject } from '../../../src/http/json-request.js';
import { maxJsonBodyBytes, readJsonBody } from '../../../src/http/read-json-body.js';
import { sendError, sendJson } from '../../../src/http/respond.js';
import { request } from '../../helpers/http.js';
import { connect } from '../../helpers/raw-socket.js';

/**
 * A real node:http server whose one handler reads the body as a route would (readJsonObject for
 * POST/PUT, discardBody otherwise) and answers through respond.ts, so the connection handling
 * after an early answer is the production one.
 */
let server: http.Server;
let baseUrl: string;
let port: number;
/** What the last handler's read ended with: the object, or the error it threw. */
let outcomes: unknown[];

beforeEach(async () => {
  outcomes = [];
  server = http.createServer((req, res) => {
    const ctx: RequestContext = { logId: 'test', req, res, log: pino({ level: 'silent' }), pathname: req.url ?? '/' };
    const read =
      req.url === '/access-token'
        ? readJsonBody(req).then((value) => ({ legacy: value === undefined ? 'refused' : value }))
        : req.method === 'POST' || req.method === 'PUT'
          ? readJsonObject(ctx)
          : discardBody(ctx).then(() => ({ discarded: true }));
    read.then(
      (value) => {
        outcomes.push(value);
        sendJson(ctx, 200, { code: 0, msg: 'success', data: value });
      },
      (err: unknown) => {
        outcomes.push(err);
        if (!res.destroyed) sendError(ctx, err);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (body: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  request(baseUrl, { method: 'POST', path: '/x', headers, body });

function violations(res: { json(): Record<string, any> }): Array<{ field: string; description: string }> {
  return res.json().error.field_violations;
}

describe('readJsonObject', () => {
  it('returns the object, whatever the Content-Type says', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'text/plain']) {
      const res = await post('{"a":[1,{"b":null}],"c":"é"}', { 'Content-Type': contentType });
      expect(res.status).toBe(200);
      expect(res.json().data).toEqual({ a: [1, { b: null }], c: 'é' });
    }
  });

  it('reads an empty body as {}', async () => {
    const res = await post('');
    expect(res.status).toBe(200);
    expect(res.json().data).toEqual({});
  });

  it('refuses malformed JSON, a BOM, invalid UTF-8 and non-objects with a violation on body', async () => {
    const cases: Array<[string | Buffer, RegExp]> = [
      ['{"a":', /^not valid JSON: /],
      ['{a:1}', /^not valid JSON: /],
      [' ', /^not valid JSON: /],
      ['{"a":1} x', /^not valid JSON: /],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]), /byte order mark/],
      [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /not valid UTF-8/],
      ['[]', /^must be a JSON object$/],
      ['null', /^must be a JSON object$/],
      ['"{}"', /^must be a JSON object$/],
      ['42', /^must be a JSON object$/],
    ];
    for (const [body, why] of cases) {
      const res = await post(body);
      expect(res.status, String(body)).toBe(400);
      expect(res.json().code).toBe(2250001);
      const [v] = violations(res);
      expect(v?.field).toBe('body');
      expect(v?.description).toMatch(why);
      expect(v!.description.length).toBeLessThan(160);
    }
  });

  it('accepts a body of exactly the cap', async () => {
    const body = `{"s":"${'x'.repeat(maxJsonRequestBytes - 8)}"}`;
    expect(Buffer.byteLength(body)).toBe(maxJsonRequestBytes);
    const res = await post(body);
    expect(res.status).toBe(200);
  });

  it('answers an over-cap Content-Length before the body is sent, and closes the connection', async () => {
    const conn = await connect(port);
    await conn.write(`POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${maxJsonRequestBytes + 1}\r\n\r\n{"a":`);
    const res = await conn.response();
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expect(res.json().error.field_violations).toEqual([{ field: 'body', description: `request body exceeds ${maxJsonRequestBytes} bytes` }]);
    conn.end();
    await conn.closedWithin(5000);
  });

  it('stops reading a chunked body once it passes the cap, and closes the connection', async () => {
    const conn = await connect(port);
    await conn.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(64 * 1024);
    // Bounded: the cap is passed after 5 chunks; the answer must come before we run out.
    for (let i = 0; i < 6 && conn.received().length === 0; i++) await conn.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const res = await conn.response();
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expect(res.json().error.field_violations[0].field).toBe('body');
    conn.end();
    await conn.closedWithin(5000);
  });

  it('rejects with a body violation when the client goes away mid-body', async () => {
    const conn = await connect(port);
    await conn.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":');
    // Bounded wait for the server to have started reading.
    for (let i = 0; i < 100 && server.connections === 0; i++) await new Promise((r) => setTimeout(r, 10));
    conn.destroy();
    for (let i = 0; i < 200 && outcomes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const [err] = outcomes;
    expect(err).toBeInstanceOf(LingoError);
    expect((err as LingoError).details.fieldViolations).toEqual([{ field: 'body', description: 'client closed the connection' }]);
  });
});

describe('discardBody', () => {
  it('ignores the {} the Node SDK sends on GET and DELETE, keeping the connection', async () => {
    // As axios sends it: with a Content-Length (node:http would send a GET body unframed).
    for (const method of ['GET', 'DELETE']) {
      const res = await request(baseUrl, { method, path: '/x', headers: { 'Content-Type': 'application/json', 'Content-Length': 2 }, body: '{}' });
      expect(res.status, res.body.toString()).toBe(200);
      expect(res.json().data).toEqual({ discarded: true });
    }
    const conn = await connect(port);
    await conn.write('GET /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"junk": [1]}');
    const res = await conn.response();
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('keep-alive');
    conn.destroy();
  });

  it('answers without reading an over-cap body, and closes the connection', async () => {
    const conn = await connect(port);
    await conn.write(`GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${maxJsonRequestBytes * 4}\r\n\r\n`);
    const res = await conn.response();
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    conn.end();
    await conn.closedWithin(5000);
  });

  it('stops reading a chunked body past the cap, answers, and closes the connection', async () => {
    const conn = await connect(port);
    await conn.write('DELETE /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 6 && conn.received().length === 0; i++) await conn.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const res = await conn.response();
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    conn.end();
    await conn.closedWithin(5000);
  });
});

describe('readJsonBody (the access-token reader, on the same bounded read)', () => {
  it('answers an over-cap chunked body instead of losing the connection', async () => {
    const conn = await connect(port);
    await conn.write('POST /access-token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'z'.repeat(16 * 1024);
    for (let i = 0; i < maxJsonBodyBytes / chunk.length + 2 && conn.received().length === 0; i++)
      await conn.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const res = await conn.response();
    expect(res.status).toBe(200);
    expect(res.json().data).toEqual({ legacy: 'refused' });
    expect(res.headers.connection).toBe('close');
    conn.end();
  });
});

describe('parseJsonObject', () => {
  it('keeps a "__proto__" key as data, not as a prototype', () => {
    const obj = parseJsonObject(Buffer.from('{"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.hasOwn(obj, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps the reason it echoes from a long malformed body', () => {
    try {
      parseJsonObject(Buffer.from(`{"${'a'.repeat(10_000)}" 1}`));
      expect.unreachable();
    } catch (err) {
      expect((err as LingoError).details.fieldViolations?.[0]?.description.length).toBeLessThanOrEqual(140);
    }
  });
});
