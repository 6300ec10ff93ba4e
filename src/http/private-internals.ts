import type { BusboyInstance } from '@fastify/busboy';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Every place where lingo-server relies on an undocumented part of Node's HTTP server or of
 * @fastify/busboy, each behind a small named function. Nothing else in src/ may reach into them.
 * Checked against Node 20 and @fastify/busboy 3.2.6; test/unit/http/private-internals.test.ts pins
 * each one on the running versions and names the internal that moved when it fails.
 */

/**
 * Makes Node end the connection once this response is written, announced by its own
 * `Connection: close` header. `ServerResponse.shouldKeepAlive` is typed in @types/node but not
 * documented. The documented alternative, a Connection header of our own, would move that header
 * within the head Node writes (before its Date header rather than after it).
 */
export function closeAfterResponse(res: ServerResponse): void {
  res.shouldKeepAlive = false;
}

/**
 * Runs `close` instead of Node's own close when Node is done with a connection it does not keep
 * alive. Node's HTTP server ends such a connection by calling `socket.destroySoon()` once the
 * response is written (nothing public fires at that moment), so replacing that method on this one
 * socket is the hook. respond.ts uses it for a lingering close.
 */
export function replaceCloseAfterResponse(socket: Socket, close: () => void): void {
  socket.destroySoon = close;
}

/**
 * The response Node is writing on this connection, if any. A 'clientError' handler gets only the
 * socket; whether a status line already went out is on the response that Node keeps on the socket
 * as `_httpMessage` (Node's own default clientError handler reads it too). With pipelined requests
 * it is the one being written, which a map of our own filled per request would not know.
 */
export function responseOnSocket(socket: Duplex): ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * Calls `onBytes` with the size of each body chunk Node's HTTP parser hands to this request, read
 * or not. The parser feeds the request through `push()` (parserOnBody in _http_common.js), a
 * Readable's public producer API; wrapping it on this one request counts the body without
 * touching it, where a 'data' listener would switch the stream to flowing and consume it. Must be
 * called synchronously in the 'request' listener, before the parser delivers the first chunk.
 */
export function countBodyBytes(req: IncomingMessage, onBytes: (bytes: number) => void): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const push = req.push;
  req.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk instanceof Uint8Array) onBytes(chunk.byteLength);
    return push.call(this, chunk, encoding);
  };
}

/** What busboy's part header parser knows about the header block it is reading. */
export interface PartHeaderState {
  /** The block reached `limits.headerSize`; busboy keeps only its first bytes. */
  readonly maxed: boolean;
  /** Bytes of a block still being read (0 between blocks). */
  readonly nread: number;
}

/** The parts of dicer's HeaderParser (vendored in @fastify/busboy) that watchPartHeaders reads and wraps. */
interface HeaderParserInternals extends PartHeaderState {
  _finish(): void;
  reset(): void;
}

/**
 * Calls `atHeaderEnd` when a part's header block is complete and `atBoundary` at every part
 * boundary, each with the parser's state just before busboy clears it. busboy reports neither
 * an over-long header block nor one cut off by the next boundary (see part-header-guard.ts); its
 * header parser, `busboy._parser.parser._hparser` (one per multipart parser, reused for every
 * part), knows both. Its `_finish()` runs just before it emits 'header' and `reset()` at each
 * boundary; both are wrapped on this instance only.
 *
 * Throws, naming the internal, if the parser is not where or what it was: every upload then fails
 * loudly (500, logged) rather than over-long headers passing unnoticed.
 */
export function watchPartHeaders(busboy: BusboyInstance, hooks: { atHeaderEnd(state: PartHeaderState): void; atBoundary(state: PartHeaderState): void }): void {
  const hp = partHeaderParser(busboy);
  // Called back with the parser as `this`, as busboy itself calls them.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const finish = hp._finish;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const reset = hp.reset;
  hp._finish = function (this: HeaderParserInternals): void {
    hooks.atHeaderEnd({ maxed: this.maxed, nread: this.nread });
    finish.call(this);
  };
  hp.reset = function (this: HeaderParserInternals): void {
    hooks.atBoundary({ maxed: this.maxed, nread: this.nread });
    reset.call(this);
  };
}

function partHeaderParser(busboy: BusboyInstance): HeaderParserInternals {
  const internals = busboy as unknown as { _parser?: { parser?: { _hparser?: Partial<HeaderParserInternals> } } };
  const parser = internals._parser?.parser?._hparser;
  if (
    !parser ||
    typeof parser._finish !== 'function' ||
    typeof parser.reset !== 'function' ||
    typeof parser.maxed !== 'boolean' ||
    typeof parser.nread !== 'number'
  ) {
    throw new Error(
      '@fastify/busboy internals changed: busboy._parser.parser._hparser (maxed, nread, _finish(), reset()) is not there, ' +
        'so the multipart part header limit cannot be enforced (see src/http/private-internals.ts)',
    );
  }
  return parser as HeaderParserInternals;
}
