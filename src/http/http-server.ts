import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { HttpTimeoutsConfig } from '../config/config.js';
import type { RequestOutcome } from '../observe/metrics.js';
import { trackRequest } from './access-log.js';
import type { RequestContext } from './context.js';
import type { Gateway } from './gateway.js';
import { newLogId } from './log-id.js';
import { responseOnSocket } from './private-internals.js';
import { sendError, sendNotFound } from './respond.js';
import { matchRoute, type Route } from './route.js';

/**
 * The request pipeline, in order: request id → route (else 404 text) → gateway for API routes
 * (token, scope, rate limit; the body is still unread) → handler → one error renderer; then,
 * once the response is over, one access-log line and `observe` (the metrics).
 * Bare node:http rather than a framework: we need canonical header casing on the wire and
 * full control over when (and whether) a body is read.
 */
export function createHttpServer(
  routes: readonly Route[],
  gateway: Gateway,
  log: Logger,
  timeouts: HttpTimeoutsConfig,
  observe: (outcome: RequestOutcome) => void = () => {},
): http.Server {
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Both deadlines are enforced by a sweep (Node's default: every 30 s); sweep often enough
      // that they fire close to when configured, but at most once a second.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4))),
      keepAliveTimeout: 5_000,
    },
    (req, res) => void handle(req, res),
  );
  // Idle sockets (a body that stops flowing) are closed; a live upload keeps resetting the timer.
  server.timeout = timeouts.idleTimeoutMs;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const logId = newLogId();
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    const ctx: RequestContext = { logId, req, res, log, pathname };
    res.setHeader('X-Tt-Logid', logId);
    const record = trackRequest(ctx, observe);
    res.on('finish', () => {
      // Shutting down: close this kept-alive connection now rather than when keepAliveTimeout ends.
      if (!server.listening) setImmediate(() => server.closeIdleConnections());
    });
    try {
      const match = matchRoute(routes, req.method ?? 'GET', pathname);
      if (!match) return sendNotFound(ctx);
      const { route, params } = match;
      record.operation = route.id;
      if (route.kind === 'api') {
        const principal = await gateway.admit(ctx, route.access);
        await route.handle(ctx, params, principal);
      } else {
        await route.handle(ctx, params);
      }
    } catch (err) {
      record.failure = err;
      sendError(ctx, err);
    }
  }

  // Malformed HTTP, a headers or whole-request deadline passed, a body cut short. Answer only if no
  // response of ours has begun on this socket (a second status line would corrupt the stream), then
  // destroy it as Node's default handler does: a merely half-closed socket would keep a timed-out
  // upload's request alive for as long as the client keeps trickling.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = responseOnSocket(socket);
    if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  return server;
}
