import type { OperationDescriptor } from '../descriptor.js';
import { constant, obj, str } from '../json-schema.js';

/** Routes that take no token (src/http/routes/health.ts, metrics.ts, openapi.ts). */

const checkState = { type: 'string', enum: ['ok', 'down'] };

export const serviceOperations: OperationDescriptor[] = [
  {
    routeId: 'healthz',
    path: '/healthz',
    tag: 'service',
    summary: 'Liveness: the process answers',
    responses: {
      '200': { description: 'alive', content: { 'application/json': { schema: obj('out', { status: constant('ok') }, ['status']) } } },
    },
    errors: [],
  },
  {
    routeId: 'readyz',
    path: '/readyz',
    tag: 'service',
    summary: 'Readiness: the database and the blob store answer',
    description: 'The rate limiter is named but not checked: while its store is down it falls back as configured.',
    responses: Object.fromEntries(
      ([200, 503] as const).map((status) => [
        String(status),
        {
          description: status === 200 ? 'both stores answer' : 'a store does not answer within 2 s',
          content: {
            'application/json': {
              schema: obj(
                'out',
                {
                  status: constant(status === 200 ? 'ready' : 'unavailable'),
                  backends: obj(
                    'out',
                    {
                      meta: str({ examples: ['sqlite', 'postgres'] }),
                      blob: str({ examples: ['fs', 's3'] }),
                      ratelimit: str({ examples: ['memory', 'redis'] }),
                    },
                    ['meta', 'blob', 'ratelimit'],
                  ),
                  checks: obj('out', { meta: checkState, blob: checkState }, ['meta', 'blob']),
                },
                ['status', 'backends', 'checks'],
              ),
            },
          },
        },
      ]),
    ),
    errors: [],
  },
  {
    routeId: 'metrics',
    path: '/metrics',
    tag: 'service',
    summary: 'Prometheus metrics',
    description: 'Served here unless --metrics-port is set, in which case only that port serves it (and this document omits it).',
    responses: { '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    errors: ['internal'],
  },
  {
    routeId: 'openapi',
    path: '/openapi.json',
    tag: 'service',
    summary: 'This document',
    description: 'Generated from the route table of the running server.',
    responses: {
      '200': {
        description: 'the OpenAPI 3.1 document',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: { openapi: constant('3.1.0'), info: { type: 'object' }, paths: { type: 'object' } },
              required: ['openapi', 'info', 'paths'],
            },
          },
        },
      },
    },
    errors: ['internal'],
  },
];
