import net from 'node:net';
import { uploadPath } from './http.js';

/** A response read off a raw socket: status line, headers (lowercased names), body per Content-Length. */
export interface ParsedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  json<T = Record<string, any>>(): T;
}

/**
 * A client on a bare TCP socket, for what node:http will not send: lying Content-Length, bodies
 * that stop or trickle, over-long part headers, 100 MiB that must not be read. It records what it
 * managed to send, what came back and when the socket closed.
 */
export interface RawConnection {
  readonly socket: net.Socket;
  /** Bytes handed to the socket so far. */
  sent(): number;
  received(): Buffer;
  isClosed(): boolean;
  /** Writes and waits for the kernel to take it; false once the socket is gone. */
  write(data: Buffer | string): Promise<boolean>;
  /** The first complete response (by Content-Length); rejects if the socket closes without one. */
  response(): Promise<ParsedResponse>;
  /** Resolves when the socket has closed, for whatever reason, with the time it happened. */
  readonly closed: Promise<{ atMs: number; error?: NodeJS.ErrnoException }>;
  /** `closed`, but rejects if the socket is still open after `ms`. */
  closedWithin(ms: number): Promise<{ atMs: number; error?: NodeJS.ErrnoException }>;
  end(): void;
  destroy(): void;
}

/**
 * `ignoreFin`: keep sending after the server half-closes (a hostile client does not take the
 * hint); only a full close by the server (or our own) ends the connection then.
 */
export function connect(port: number, opts: { ignoreFin?: boolean } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: opts.ignoreFin ?? false });
    const chunks: Buffer[] = [];
    let sent = 0;
    let closed = false;
    let error: NodeJS.ErrnoException | undefined;
    const waiters: Array<() => void> = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err));
    const closedP = new Promise<{ atMs: number; error?: NodeJS.ErrnoException }>((res) =>
      socket.on('close', () => {
        closed = true;
        for (const w of waiters.splice(0)) w();
        res({ atMs: Date.now(), error });
      }),
    );
    const received = (): Buffer => Buffer.concat(chunks);
    const conn: RawConnection = {
      socket,
      sent: () => sent,
      received,
      isClosed: () => closed,
      closed: closedP,
      closedWithin: (ms) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`socket still open after ${ms} ms`)), ms)));
        return Promise.race([closedP, timeout]).finally(() => clearTimeout(timer));
      },
      write: (data) =>
        new Promise((res) => {
          if (closed || socket.destroyed || !socket.writable) return res(false);
          const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
          socket.write(buf, (err) => {
            if (!err) sent += buf.length;
            res(!err);
          });
        }),
      response: () =>
        new Promise((res, rej) => {
          const check = (): void => {
            const parsed = parseResponse(received());
            if (parsed) return res(parsed);
            if (closed)
              return rej(
                new Error(`socket closed without a complete response (got ${received().length} bytes: ${received().toString('latin1').slice(0, 200)})`),
              );
            waiters.push(check);
          };
          check();
        }),
      end: () => socket.end(),
      destroy: () => socket.destroy(),
    };
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
  });
}

/** Parses the first response in `buf`, or undefined while it is incomplete. */
export function parseResponse(buf: Buffer): ParsedResponse | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP response: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = buf.subarray(headEnd + 4, headEnd + 4 + length);
  if (body.length < length) return undefined;
  return { status: Number(m[1]), headers, body, json: () => JSON.parse(body.toString('utf8')) };
}

/** The head of an upload request; `length` is a number (Content-Length) or 'chunked'. */
export function uploadHead(token: string, contentType: string, length: number | 'chunked', extra: string[] = []): string {
  return [
    `POST ${uploadPath} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Authorization: Bearer ${token}`,
    `Content-Type: ${contentType}`,
    length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`,
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/** One HTTP/1.1 chunk of a chunked body. */
export function chunk(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(data.length.toString(16) + '\r\n'), data, Buffer.from('\r\n')]);
}

export const lastChunk = '0\r\n\r\n';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
