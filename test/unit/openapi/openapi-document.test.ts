import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchRoute, type Route } from '../../../src/http/route.js';
import { buildOpenApiDocument, isOpenApiRoute, operationDescriptors } from '../../../src/openapi/openapi-document.js';
import { compileIn, newAjv, type Doc } from '../../helpers/openapi.js';
import { startServer, type TestServer } from '../../helpers/server.js';

/**
 * The document against the route table of a real app (buildApp's `routes`) and against the
 * OpenAPI 3.1 schema. A route added without a descriptor, or a descriptor whose path, methods or
 * gateway rules drift from its route, fails here.
 */
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const samplePathValues: Record<string, string> = { entity_id: 'enterprise_1', draft_id: '1', file_token: `boxbc${'a'.repeat(22)}` };

function operations(doc: Doc): { path: string; method: string; op: Doc }[] {
  return Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as Doc })),
  );
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  let routes: readonly Route[];
  let doc: Doc;
  beforeAll(async () => {
    server = await startServer();
    routes = server.app.routes.filter(isOpenApiRoute);
    expect(server.app.routes.some((r) => r.id.startsWith('console.'))).toBe(true);
    doc = buildOpenApiDocument(routes, '1.2.3');
  });
  afterAll(() => server?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator({ strict: false });
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect([result.valid, validator.version, doc.info.version]).toEqual([true, '3.1', '1.2.3']);
  });

  it('describes exactly the routes of the table, with their methods, once each', () => {
    const ops = operations(doc);
    expect(new Set(ops.map((o) => o.op['x-lingo-route-id']))).toEqual(new Set(routes.map((r) => r.id)));
    for (const route of routes) {
      const documented = ops.filter((o) => o.op['x-lingo-route-id'] === route.id).map((o) => o.method);
      expect(documented.sort(), route.id).toEqual([...route.methods].sort());
    }
    const ids = ops.map((o) => o.op.operationId as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(routes.map((r) => r.id)));
    // Today's table: two token routes, upload, download, twelve Lingo operations, health, readiness, metrics, this document.
    expect(routes.length).toBe(20);
  });

  it('has a path template that reaches its own route for every operation', () => {
    for (const { path, method, op } of operations(doc)) {
      const concrete = path.replace(/\{([^}]+)\}/g, (_, name: string) => samplePathValues[name] ?? 'x');
      expect(matchRoute(routes, method, concrete)?.route.id, `${method} ${path}`).toBe(op['x-lingo-route-id']);
      const pathParams = ((op.parameters ?? []) as Doc[]).filter((p) => p.in === 'path').map((p) => p.name as string);
      expect(pathParams.sort(), `${method} ${path}`).toEqual([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort());
    }
  });

  it("gives each API operation its route's token kinds, scopes, rate tier and security", () => {
    const api = routes.filter((r) => r.kind === 'api');
    expect(api.length).toBe(14);
    for (const { op } of operations(doc)) {
      const route = routes.find((r) => r.id === op['x-lingo-route-id'])!;
      if (route.kind !== 'api') {
        expect(op.security, route.id).toEqual([]);
        expect(op['x-lark-scopes'], route.id).toBeUndefined();
        continue;
      }
      const { access } = route;
      expect(op['x-lark-access-tokens'], route.id).toEqual(access.tokenKinds);
      expect(op['x-lark-scopes'], route.id).toEqual(access.anyOfScopes);
      expect(op['x-lark-rate-limit'], route.id).toEqual({ tier: access.rateTier });
      expect([op['x-lingo-rate-limit-id'], op['x-lingo-self-built-only']], route.id).toEqual([access.rateLimitId, access.selfBuiltOnly]);
      expect(op.security, route.id).toEqual(access.tokenKinds.map((k) => ({ [`${k}AccessToken`]: [] })));
      // The schema validator does not check that a requirement names a defined scheme.
      for (const requirement of op.security as Doc[]) for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes[name]).toBeDefined();
      expect(Object.keys(op.responses as Doc), route.id).toEqual(expect.arrayContaining(['200', '400', '401', '429', '500']));
    }
  });

  it('documents the rate-limit headers on every 429 and error.log_id on every error', () => {
    for (const { path, method, op } of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Doc>)) {
        expect(response.headers?.['X-Tt-Logid'], `${method} ${path} ${status}`).toBeDefined();
        if (status === '429')
          expect(Object.keys(response.headers as Doc).sort()).toEqual(['Retry-After', 'X-Tt-Logid', 'x-ogw-ratelimit-limit', 'x-ogw-ratelimit-reset']);
      }
    }
    const detail = doc.components.schemas.ErrorDetail as Doc;
    expect(detail.required).toEqual(['log_id', 'troubleshooter']);
    expect(Object.keys(detail.properties as Doc).sort()).toEqual(['field_violations', 'log_id', 'permission_violations', 'troubleshooter']);
  });

  it('compiles every schema it holds with a strict JSON Schema 2020-12 validator', () => {
    const ajv = newAjv();
    let compiled = 0;
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'schema' && typeof value === 'object') {
          compileIn(doc, value as object, ajv);
          compiled++;
        } else visit(value);
      }
    };
    visit(doc.paths);
    visit(doc.components.parameters);
    visit(doc.components.headers);
    for (const schema of Object.values(doc.components.schemas as Doc)) compileIn(doc, schema as object, ajv);
    expect(compiled).toBeGreaterThan(100);
  });

  it('refuses a route that has no descriptor, naming it', () => {
    const stray: Route = { kind: 'public', id: 'stray.route', methods: ['GET'], pattern: /^\/stray$/, handle: async () => {} };
    expect(() => buildOpenApiDocument([...routes, stray], '0')).toThrow(/stray\.route/);
  });

  it('leaves out /metrics when the table has no metrics route (--metrics-port)', () => {
    const without = buildOpenApiDocument(
      routes.filter((r) => r.id !== 'metrics'),
      '0',
    );
    expect(Object.keys(without.paths as Doc)).not.toContain('/metrics');
    expect(Object.keys(doc.paths as Doc)).toContain('/metrics');
    expect(operationDescriptors.has('metrics')).toBe(true);
  });
});
