import { Busboy, type BusboyInstance } from '@fastify/busboy';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAfterResponse,
  countBodyBytes,
  replaceCloseAfterResponse,
  responseOnSocket,
  watchPartHeaders,
  type PartHeaderState,
} from '../../../src/http/private-internals.js';
import { connect } from '../../helpers/raw-socket.js';

/**
 * Pins every private Node or busboy internal that src/http/private-internals.ts relies on, on the
 * versions installed. A failure names the internal that moved: fix private-internals.ts (and only
 * it) for the new version, or pin the dependency.
 */
const busboyDir = path.dirname(createRequire(import.meta.url).resolve('@fastify/busboy'));
const busboyVersion = (JSON.parse(fs.readFileSync(path.join(busboyDir, 'package.json'), 'utf8')) as { version: string }).version;
const onNode = `on Node ${process.version}`;
const onBusboy = `on @fastify/busboy ${busboyVersion}`;

describe('Node HTTP server internals', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A server whose every request runs `handler`; resolves with its port. */
  const serve = async (handler: http.RequestListener, onClientError?: (err: Error, socket: Duplex) => void): Promise<number> => {
    server = http.createServer({ keepAliveTimeout: 5_000 }, handler);
    if (onClientError) server.on('clientError', onClientError);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const get = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

  it('ServerResponse.shouldKeepAlive = false: Node sends Connection: close and ends the connection', async () => {
    const port = await serve((_req, res) => {
      closeAfterResponse(res);
      res.end('ok');
    });
    const conn = await connect(port);
    await conn.write(get);
    const response = await conn.response();
    expect(response.headers.connection, `res.shouldKeepAlive is no longer honoured ${onNode}`).toBe('close');
    await expect(conn.closedWithin(2_000), `res.shouldKeepAlive = false no longer ends the connection ${onNode}`).resolves.toBeDefined();
  });

  it('socket.destroySoon(): Node calls it, after the response is written, to end a connection it does not keep alive', async () => {
    const calls: Array<{ responseWritten: boolean }> = [];
    const port = await serve((req, res) => {
      closeAfterResponse(res);
      const socket = req.socket;
      replaceCloseAfterResponse(socket, () => {
        calls.push({ responseWritten: res.writableFinished });
        socket.end();
      });
      res.end('ok');
    });
    const conn = await connect(port);
    await conn.write(get);
    expect((await conn.response()).body.toString()).toBe('ok');
    await conn.closedWithin(2_000);
    expect(calls, `Node's HTTP server no longer calls socket.destroySoon() to close a connection ${onNode}`).toEqual([{ responseWritten: true }]);
  });

  it('socket._httpMessage: the response being written on a connection, seen from clientError too', async () => {
    const seen: Array<{ where: string; same: boolean; headersSent?: boolean }> = [];
    let inHandler: http.ServerResponse | undefined;
    const port = await serve(
      (req, res) => {
        inHandler = res;
        seen.push({ where: 'handler', same: responseOnSocket(req.socket) === res });
        // Head and part of the body out, the rest never: a response in flight.
        res.writeHead(200, { 'Content-Length': '10' });
        res.write('12345');
      },
      (_err, socket) => {
        const res = responseOnSocket(socket);
        seen.push({ where: 'clientError', same: res !== undefined && res === inHandler, headersSent: res?.headersSent });
        socket.destroy();
      },
    );
    const conn = await connect(port);
    await conn.write(get);
    await expect.poll(() => conn.received().toString()).toContain('12345');
    // A malformed request pipelined behind it makes the parser fail while the response is in flight.
    await conn.write('NOT HTTP\r\n\r\n');
    await conn.closedWithin(2_000);
    expect(seen, `socket._httpMessage is no longer the response in flight ${onNode}`).toEqual([
      { where: 'handler', same: true },
      { where: 'clientError', same: true, headersSent: true },
    ]);
  });

  it('socket._httpMessage: absent when no response has begun on the connection', async () => {
    const seen: Array<http.ServerResponse | undefined> = [];
    const port = await serve(
      () => expect.fail('no request should reach the handler'),
      (_err, socket) => {
        seen.push(responseOnSocket(socket));
        socket.destroy();
      },
    );
    const conn = await connect(port);
    await conn.write('NOT HTTP\r\n\r\n');
    await conn.closedWithin(2_000);
    expect(seen, `clientError did not run ${onNode}`).toEqual([undefined]);
  });

  it("IncomingMessage#push: Node's parser delivers each body chunk through it, whether or not the body is read", async () => {
    const counted: number[] = [];
    const port = await serve((req, res) => {
      let n = 0;
      countBodyBytes(req, (bytes) => (n += bytes));
      // The first request's body is read, the second's never is: both are counted as they arrive.
      const done = (): void => void res.end(String(n), () => counted.push(n));
      if (req.url === '/read') req.on('data', () => {}).on('end', done);
      else setTimeout(done, 200);
    });
    const conn = await connect(port);
    const body = 'x'.repeat(70_000);
    await conn.write(`POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect((await conn.response()).body.toString(), `IncomingMessage#push no longer sees the body ${onNode}`).toBe(String(body.length));
    conn.destroy();
    const unread = await connect(port);
    await unread.write(`POST /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'y'.repeat(3000)}`);
    expect((await unread.response()).body.toString(), `IncomingMessage#push no longer sees an unread body ${onNode}`).toBe('3000');
    unread.destroy();
    expect(counted).toEqual([body.length, 3000]);
  });
});

describe('@fastify/busboy internals', () => {
  const boundary = 'pin';
  const newBusboy = (headerSize: number): BusboyInstance =>
    new Busboy({ headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, isPartAFile: () => true, limits: { headerSize } });
  /** Parses `body` and collects what watchPartHeaders reports. */
  const watch = async (body: string, headerSize = 64): Promise<Array<{ at: 'header end' | 'boundary' } & PartHeaderState>> => {
    const busboy = newBusboy(headerSize);
    const events: Array<{ at: 'header end' | 'boundary' } & PartHeaderState> = [];
    watchPartHeaders(busboy, {
      atHeaderEnd: (state) => events.push({ at: 'header end', maxed: state.maxed, nread: state.nread }),
      atBoundary: (state) => events.push({ at: 'boundary', maxed: state.maxed, nread: state.nread }),
    });
    busboy.on('file', (_field: string, stream: NodeJS.ReadableStream) => stream.resume());
    await new Promise<void>((resolve) => {
      busboy.on('finish', resolve);
      busboy.on('error', () => resolve());
      busboy.end(Buffer.from(body, 'latin1'));
    });
    return events;
  };
  const part = (headers: string, content = 'x'): string => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
  const disposition = 'Content-Disposition: form-data; name="file"; filename="a"';

  it('busboy._parser.parser._hparser is there, with maxed, nread, _finish() and reset()', () => {
    const parser = (newBusboy(64) as unknown as { _parser?: { parser?: { _hparser?: Record<string, unknown> } } })._parser?.parser?._hparser;
    expect(parser, `busboy._parser.parser._hparser is gone ${onBusboy}`).toBeDefined();
    expect(typeof parser!.maxed, `_hparser.maxed ${onBusboy}`).toBe('boolean');
    expect(typeof parser!.nread, `_hparser.nread ${onBusboy}`).toBe('number');
    expect(typeof parser!._finish, `_hparser._finish ${onBusboy}`).toBe('function');
    expect(typeof parser!.reset, `_hparser.reset ${onBusboy}`).toBe('function');
  });

  it('_finish() ends each header block (nread > 0, maxed false within the limit); boundaries after it see a cleared state', async () => {
    const events = await watch(part(disposition) + part(disposition) + `--${boundary}--\r\n`);
    const ends = events.filter((e) => e.at === 'header end');
    expect(ends, `_hparser._finish() no longer runs once per header block ${onBusboy}`).toHaveLength(2);
    for (const e of ends) expect(e.maxed || e.nread === 0, `_hparser state at _finish() ${onBusboy}: ${JSON.stringify(e)}`).toBe(false);
    const boundaries = events.filter((e) => e.at === 'boundary');
    expect(boundaries.length, `_hparser.reset() no longer runs at boundaries ${onBusboy}`).toBeGreaterThan(0);
    for (const e of boundaries) expect(e, `_hparser state at reset() after a complete block ${onBusboy}`).toEqual({ at: 'boundary', maxed: false, nread: 0 });
  });

  it('maxed is set for a header block at or past limits.headerSize', async () => {
    const long = `${disposition}\r\nX-Long: ${'a'.repeat(200)}`;
    const events = await watch(part(long) + `--${boundary}--\r\n`);
    expect(
      events.find((e) => e.at === 'header end'),
      `_hparser.maxed no longer reports an over-long header ${onBusboy}`,
    ).toMatchObject({ maxed: true });
  });

  it('reset() runs at the boundary that cuts a header block off, with the bytes read so far in nread', async () => {
    // The first part's header block never ends: the next boundary comes first.
    const cut = `--${boundary}\r\n${disposition}\r\n--${boundary}\r\n${disposition}\r\n\r\nx\r\n--${boundary}--\r\n`;
    const events = await watch(cut, 1024);
    expect(
      events.some((e) => e.at === 'boundary' && e.nread > 0 && !e.maxed),
      `_hparser.reset() no longer sees a cut-off header block ${onBusboy}: ${JSON.stringify(events)}`,
    ).toBe(true);
  });

  it('watchPartHeaders throws, naming the internal, when busboy does not have it', () => {
    expect(() => watchPartHeaders({} as BusboyInstance, { atHeaderEnd: () => {}, atBoundary: () => {} })).toThrow(/busboy\._parser\.parser\._hparser/);
  });
});
