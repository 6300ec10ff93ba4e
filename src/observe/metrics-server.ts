import http from 'node:http';
import type { Logger } from 'pino';
import { sendMetrics } from '../http/routes/metrics.js';
import type { LingoMetrics } from './metrics.js';

/**
 * The listener of --metrics-port: GET /metrics and nothing else (404 text, as the main port
 * answers unknown paths). Kept apart from the API's pipeline so that a deployment can expose the
 * API and keep this port private; scrapes here are not access-logged.
 */
export function createMetricsServer(metrics: LingoMetrics, log: Logger): http.Server {
  return http.createServer({ keepAliveTimeout: 5_000, headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendMetrics(metrics, req, res).catch((err: unknown) => {
        log.error({ err }, 'metrics scrape failed');
        res.destroy();
      });
      return;
    }
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('404 page not found');
  });
}
