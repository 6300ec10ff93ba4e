import type { ErrorKey } from '../errors/catalogue.js';
import type { Route } from '../http/route.js';
import { sharedParameters, type OperationDescriptor } from './descriptor.js';
import { errorMappings, errorResponses, gatewayErrors, responseHeaders } from './error-responses.js';
import type { Schema } from './json-schema.js';
import { authOperations } from './operations/auth-operations.js';
import { entityOperations } from './operations/entity-operations.js';
import { fileOperations } from './operations/file-operations.js';
import { glossaryOperations } from './operations/glossary-operations.js';
import { serviceOperations } from './operations/service-operations.js';
import { entitySchemas } from './schemas/entity-schemas.js';
import { envelopeSchemas } from './schemas/envelope-schemas.js';
import { glossarySchemas } from './schemas/glossary-schemas.js';

/** Every descriptor, by route id. */
export const operationDescriptors: ReadonlyMap<string, OperationDescriptor> = new Map(
  [...authOperations, ...fileOperations, ...entityOperations, ...glossaryOperations, ...serviceOperations].map((d) => [d.routeId, d]),
);

/** The console's routes (/console, its own JSON under /console/api, behind its session) are not the open API. */
export function isOpenApiRoute(route: Route): boolean {
  return !route.id.startsWith('console.');
}

/**
 * The OpenAPI 3.1 document of exactly the routes this server serves (GET /openapi.json). Methods,
 * security, scopes, rate tier and the gateway's errors come from each route; the rest from its
 * descriptor. A route without a descriptor is an error, so a new route cannot go undescribed.
 */
export function buildOpenApiDocument(table: readonly Route[], version: string): Schema {
  const routes = table.filter(isOpenApiRoute);
  const missing = routes.filter((r) => !operationDescriptors.has(r.id)).map((r) => r.id);
  if (missing.length > 0) throw new Error(`no OpenAPI descriptor for route(s): ${missing.join(', ')} (src/openapi/operations/)`);
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const d = operationDescriptors.get(route.id)!;
    const item = (paths[d.path] ??= {});
    route.methods.forEach((method, i) => {
      const key = method.toLowerCase();
      if (item[key]) throw new Error(`two routes describe ${method} ${d.path}`);
      item[key] = operation(route, d, method, i === 0 ? route.id : `${route.id}.${key}`);
    });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lingo-server',
      version,
      summary: 'A self-hostable, wire-compatible Feishu (Lark) Lingo v1 server',
      description:
        'Every route this server answers. Success: HTTP 200 `{"code":0,"msg":"success","data":{…}}`; errors: the envelope with ' +
        '`error.log_id`, equal to the `X-Tt-Logid` header of every response. Unknown paths and wrong methods answer 404 text/plain. ' +
        'Vendor extensions: `x-lark-access-tokens`, `x-lark-scopes` (any one admits), `x-lark-rate-limit.tier` (4: 50/s and 1000/min, ' +
        "3: 100/min, per operation × app × tenant), `x-lark-error-mappings` and `x-lark-pagination` as in Feishu's API Explorer; " +
        "`x-lingo-route-id`, `x-lingo-rate-limit-id` and `x-lingo-self-built-only` are this server's. Prose: docs/api.md.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'auth', description: 'access tokens from app credentials' },
      { name: 'file', description: 'entry images' },
      { name: 'entity', description: 'glossary entities (词条)' },
      { name: 'draft', description: 'entity changes pending review' },
      { name: 'repo', description: 'glossaries (词库)' },
      { name: 'classification', description: 'two-level classifications of a repo' },
      { name: 'service', description: 'health, readiness, metrics and this document; no token' },
    ],
    paths,
    components: {
      schemas: { ...envelopeSchemas(), ...entitySchemas(), ...glossarySchemas() },
      parameters: sharedParameters,
      headers: responseHeaders,
      securitySchemes: {
        tenantAccessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 't-…',
          description: 'a tenant access token: POST /open-apis/auth/v3/tenant_access_token/internal',
        },
        userAccessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'u-…',
          description: 'a user access token: `lingo-server token user` (Feishu mints them through OAuth)',
        },
      },
    },
  };
}

function operation(route: Route, d: OperationDescriptor, method: string, operationId: string): Schema {
  const errorKeys: ErrorKey[] = route.kind === 'api' ? [...gatewayErrors(route.access), ...d.errors] : d.errors;
  const scopes = route.kind === 'api' ? route.access.anyOfScopes : [];
  const responses: Record<string, Schema> = {};
  for (const [status, r] of Object.entries(d.responses)) {
    responses[status] = { ...r, headers: { 'X-Tt-Logid': { $ref: '#/components/headers/X-Tt-Logid' }, ...(r.headers as Schema | undefined) } };
  }
  for (const [status, e] of errorResponses(errorKeys, scopes)) {
    const success = responses[String(status)];
    responses[String(status)] = success ? alsoAnError(success, e.response, e.schema) : e.response;
  }
  const head = method === 'HEAD';
  return {
    operationId,
    tags: [d.tag],
    summary: d.summary,
    ...(d.description !== undefined && { description: d.description }),
    ...(d.parameters && { parameters: d.parameters }),
    ...(d.requestBody && !head && { requestBody: d.requestBody }),
    // HEAD answers the GET's status and headers without a body.
    responses: head ? Object.fromEntries(Object.entries(responses).map(([s, r]) => [s, withoutContent(r)])) : responses,
    ...(route.kind === 'api'
      ? {
          security: route.access.tokenKinds.map((kind) => ({ [`${kind}AccessToken`]: [] })),
          'x-lark-access-tokens': [...route.access.tokenKinds],
          'x-lark-scopes': [...route.access.anyOfScopes],
          'x-lark-rate-limit': { tier: route.access.rateTier },
          'x-lingo-rate-limit-id': route.access.rateLimitId,
          'x-lingo-self-built-only': route.access.selfBuiltOnly,
        }
      : { security: [] }),
    ...(errorKeys.length > 0 && { 'x-lark-error-mappings': errorMappings(errorKeys, scopes) }),
    ...(d.pagination && { 'x-lark-pagination': true }),
    'x-lingo-route-id': route.id,
  };
}

/** A status that answers success or error (the token routes' HTTP 200): either body. */
function alsoAnError(success: Schema, error: Schema, errorSchema: Schema): Schema {
  const content = success.content as Record<string, { schema: Schema }>;
  const json = content['application/json']!;
  return {
    ...success,
    description: `${String(success.description)}; or ${String(error.description)}`,
    content: { ...content, 'application/json': { ...json, schema: { oneOf: [json.schema, errorSchema] } } },
  };
}

function withoutContent(response: Schema): Schema {
  const { content: _content, ...rest } = response;
  return rest;
}
