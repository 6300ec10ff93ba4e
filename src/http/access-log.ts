import { LingoError } from '../errors/lingo-error.js';
import type { RequestOutcome } from '../observe/metrics.js';
import type { RequestContext } from './context.js';
import { countBodyBytes } from './private-internals.js';

/** What the pipeline learns about a request while it runs; read once the response is over. */
export interface RequestRecord {
  /** The route id once a route matched; `unknown` for a 404. */
  operation: string;
  /** What the handler threw (rendered by sendError), for the log's `code` and the metrics. */
  failure: unknown;
}

/**
 * One access-log line (`msg: "request"`) and one metrics observation per request, when its
 * response is over: ended, or cut off by a closed connection (`aborted: true`), so that every
 * request gets its line. Fields: logId (the X-Tt-Logid), operation, method, path (no query
 * string), status (absent if no head went out), code (the Feishu code of an error), reqBytes
 * (body bytes received), resBytes (bytes written for this response, head included), ms.
 * Never a header: the Authorization header and its token stay out of every line.
 */
export function trackRequest(ctx: RequestContext, observe: (outcome: RequestOutcome) => void): RequestRecord {
  const { req, res } = ctx;
  const record: RequestRecord = { operation: 'unknown', failure: undefined };
  const started = process.hrtime.bigint();
  // Responses on a connection follow one another, so the socket's count since this request's
  // head is this response's (pipelined requests, which overlap, are the exception).
  const writtenBefore = req.socket.bytesWritten;
  let reqBytes = 0;
  countBodyBytes(req, (n) => (reqBytes += n));
  res.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const aborted = !res.writableFinished;
    const { operation, failure } = record;
    const code = failure instanceof LingoError ? failure.code : undefined;
    ctx.log.info(
      {
        logId: ctx.logId,
        operation,
        method: req.method,
        path: ctx.pathname,
        ...(res.headersSent && { status: res.statusCode }),
        ...(code !== undefined && { code }),
        reqBytes,
        resBytes: req.socket.bytesWritten - writtenBefore,
        ms: Math.round(seconds * 1e4) / 10,
        ...(aborted && { aborted: true }),
      },
      'request',
    );
    observe({ operation, status: aborted ? 'aborted' : String(res.statusCode), seconds, requestBytes: reqBytes, failure });
  });
  return record;
}
