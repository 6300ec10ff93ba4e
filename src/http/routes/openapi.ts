import { sendJson } from '../respond.js';
import type { Route } from '../route.js';

/**
 * GET /openapi.json: the OpenAPI document of this server's routes (src/openapi/), no token asked.
 * Built on first request and kept: the route table does not change while the server runs.
 */
export function openApiRoute(buildDocument: () => Record<string, unknown>): Route {
  let document: Record<string, unknown> | undefined;
  return {
    kind: 'public',
    id: 'openapi',
    methods: ['GET', 'HEAD'],
    pattern: /^\/openapi\.json$/,
    async handle(ctx) {
      document ??= buildDocument();
      sendJson(ctx, 200, document);
    },
  };
}
