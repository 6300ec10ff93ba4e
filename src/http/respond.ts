import { LingoError } from '../errors/lingo-error.js';
import type { RequestContext } from './context.js';
import { closeAfterResponse, replaceCloseAfterResponse } from './private-internals.js';

/**
 * The only place that turns outcomes into wire bodies. Header names are written in canonical
 * casing on purpose: the Python SDK looks them up case-sensitively.
 */
export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const { res, req } = ctx;
  // A string, not a Buffer: Node then joins the head and the body into one chunk of the
  // response's writev instead of two, which is cheaper per response.
  const payload = JSON.stringify(body);
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload, 'utf8'));
  closeIfBodyUnread(ctx);
  res.end(req.method === 'HEAD' ? undefined : payload, 'utf8');
}

export function sendError(ctx: RequestContext, err: unknown): void {
  const { res, log } = ctx;
  const error = err instanceof LingoError ? err : new LingoError('internal', { cause: err });
  if (error.key === 'internal') log.error({ err: error.cause ?? error, logId: ctx.logId }, 'internal error');
  if (res.headersSent) {
    // Mid-body failure: the status is gone, the only honest signal left is a broken connection.
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) if (name !== 'x-tt-logid') res.removeHeader(name);
  if (error.details.closeConnection) closeAfterResponse(res);
  const body: Record<string, unknown> = { code: error.code, msg: error.msg };
  if (error.http === 200) body.data = {};
  body.error = {
    log_id: ctx.logId,
    troubleshooter: troubleshooterFor(error.code, ctx.logId),
    ...(error.details.permissionViolations && { permission_violations: error.details.permissionViolations }),
    ...(error.details.fieldViolations && { field_violations: error.details.fieldViolations }),
  };
  sendJson(ctx, error.http, body, error.details.headers);
}

export function sendNotFound(ctx: RequestContext): void {
  const body = Buffer.from('404 page not found', 'utf8');
  ctx.res.statusCode = 404;
  ctx.res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  ctx.res.setHeader('Content-Length', body.length);
  closeIfBodyUnread(ctx);
  ctx.res.end(body);
}

/**
 * Answering before the body is read (auth, rate limit, a bad first byte of a 10 MiB upload)
 * must not make us read the rest: close the connection instead of draining it.
 */
function closeIfBodyUnread(ctx: RequestContext): void {
  if (ctx.req.complete) return;
  closeAfterResponse(ctx.res);
  lingerBeforeClose(ctx);
}

/** How long, and how many more body bytes, we accept after an early answer before closing. */
const lingerMs = 2000;
const lingerMaxBytes = 8 * 1024 * 1024;

/**
 * Lingering close, as nginx does it. If we closed at once, the client would still be sending the
 * body, our kernel would answer that data with a reset, and the reset can destroy our answer in
 * the client's buffers before it is read. So once the answer is written we send FIN, discard what
 * still arrives for a bounded time and size, then close.
 */
function lingerBeforeClose(ctx: RequestContext): void {
  const socket = ctx.req.socket;
  replaceCloseAfterResponse(socket, () => {
    socket.end();
    let discarded = 0;
    const close = (): void => void socket.destroy();
    const timer = setTimeout(close, lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    ctx.req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > lingerMaxBytes) close();
    });
    ctx.req.resume();
  });
}

function troubleshooterFor(code: number, logId: string): string {
  return `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id=${logId}&code=${code}`;
}
