import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LingoMetrics } from '../../observe/metrics.js';
import type { Route } from '../route.js';

/** GET /metrics on the main port (when --metrics-port is none): Prometheus text, no token asked. */
export function metricsRoute(metrics: LingoMetrics): Route {
  return {
    kind: 'public',
    id: 'metrics',
    methods: ['GET', 'HEAD'],
    pattern: /^\/metrics$/,
    handle: (ctx) => sendMetrics(metrics, ctx.req, ctx.res),
  };
}

/** One scrape, on either port. */
export async function sendMetrics(metrics: LingoMetrics, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { contentType, body } = await metrics.scrape();
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  res.end(req.method === 'HEAD' ? undefined : body, 'utf8');
}
