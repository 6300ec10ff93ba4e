import http from 'node:http';
import type { Logger } from 'pino';
import type { HttpTimeoutsConfig } from '../config/config.js';
import type { RequestContext } from './context.js';
import type { Gateway } from './gateway.js';
import { newLogId } from './log-id.js';
import { sendError, sendNotFound } from './respond.js';
import { matchRoute, type Route } from './route.js';

/**
 * The request pipeline, in order: request id → route (else 404 text) → gateway for API routes
 * (token, scope, rate limit; the body is still unread) → handler → one error renderer.
 * Bare node:http rather than a framework: we need canonical header casing on the wire and
 * full control over when (and whether) a body is read.
 */
export function createHttpServer(routes: readonly Route[], gateway: Gateway, log: Logger, timeouts: HttpTimeoutsConfig): http.Server {
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
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
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ logId, method: req.method, path: pathname, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    try {
      const match = matchRoute(routes, req.method ?? 'GET', pathname);
      if (!match) return sendNotFound(ctx);
      const { route, params } = match;
      if (route.kind === 'api') {
        const principal = await gateway.admit(ctx, route.access);
        await route.handle(ctx, params, principal);
      } else {
        await route.handle(ctx, params);
      }
    } catch (err) {
      sendError(ctx, err);
    }
  }

  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}
