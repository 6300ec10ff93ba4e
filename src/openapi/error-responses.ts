import { errorCatalogue, type ErrorKey } from '../errors/catalogue.js';
import type { ApiAccess } from '../http/route.js';
import { errorEnvelope } from './schemas/envelope-schemas.js';

/**
 * Error answers, derived from the one error catalogue: the gateway's (from a route's `access`,
 * in src/http/gateway.ts's order) and each operation's own. Grouped by HTTP status into OpenAPI
 * responses, and listed as `x-lark-error-mappings` the way Feishu's API Explorer lists them.
 */
export function gatewayErrors(access: ApiAccess): ErrorKey[] {
  const user = access.tokenKinds.includes('user');
  const tenant = access.tokenKinds.includes('tenant');
  // Any token is looked up before its kind is checked: a bad or expired user token is answered
  // as such on every route.
  const keys: ErrorKey[] = ['missingAccessToken', 'invalidTenantToken', 'invalidUserToken', 'userTokenExpired'];
  if (!user) keys.push('userTokenNotSupported');
  if (access.selfBuiltOnly) keys.push('appTypeRequired');
  if (tenant) keys.push('appScopeMissing');
  if (user) keys.push('userScopeMissing');
  keys.push('rateLimited');
  return keys;
}

export interface ErrorMapping {
  code: number;
  httpCode: number;
  msg: string;
}

/**
 * `code`, HTTP status and message of each key, once each. `scopes` fills the `{scopes}` of the
 * scope errors, so each message is the one this operation answers.
 */
export function errorMappings(keys: readonly ErrorKey[], scopes: readonly string[] = []): ErrorMapping[] {
  const seen = new Set<string>();
  const out: ErrorMapping[] = [];
  for (const key of keys) {
    const e = errorCatalogue[key];
    const mapping = { code: e.code, httpCode: e.http, msg: e.msg.replace('{scopes}', scopes.join(', ')) };
    const id = JSON.stringify(mapping);
    if (!seen.has(id)) out.push(mapping);
    seen.add(id);
  }
  return out;
}

const logIdHeader = { $ref: '#/components/headers/X-Tt-Logid' };

/** Headers an error of this status carries beyond X-Tt-Logid. */
const extraHeaders: Record<number, Record<string, unknown>> = {
  429: {
    'x-ogw-ratelimit-limit': { $ref: '#/components/headers/x-ogw-ratelimit-limit' },
    'x-ogw-ratelimit-reset': { $ref: '#/components/headers/x-ogw-ratelimit-reset' },
    'Retry-After': { $ref: '#/components/headers/Retry-After' },
  },
  416: { 'Content-Range': { description: '`bytes */<size>`', required: true, schema: { type: 'string', pattern: '^bytes \\*/[0-9]+$' } } },
};

/** One OpenAPI response per HTTP status among `keys`; the JSON schema of each, for merging a 200. */
export function errorResponses(
  keys: readonly ErrorKey[],
  scopes: readonly string[] = [],
): Map<number, { response: Record<string, unknown>; schema: Record<string, unknown> }> {
  const byStatus = new Map<number, ErrorKey[]>();
  for (const key of keys) {
    const status = errorCatalogue[key].http;
    byStatus.set(status, [...(byStatus.get(status) ?? []), key]);
  }
  const out = new Map<number, { response: Record<string, unknown>; schema: Record<string, unknown> }>();
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schema = errorEnvelope(
      group.map((k) => errorCatalogue[k].code),
      status === 200,
    );
    out.set(status, {
      schema,
      response: {
        description: errorMappings(group, scopes)
          .map((m) => `${m.code} ${m.msg}`)
          .join('; '),
        headers: { 'X-Tt-Logid': logIdHeader, ...extraHeaders[status] },
        content: { 'application/json': { schema } },
      },
    });
  }
  return out;
}

export const responseHeaders = {
  'X-Tt-Logid': {
    description: 'the request id (UTC yyyyMMddHHmmss + 20 uppercase hex digits), on every response; equal to error.log_id',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]{14}[0-9A-F]{20}$' },
  },
  'x-ogw-ratelimit-limit': { description: 'the limit of the window that refused the request', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
  'x-ogw-ratelimit-reset': {
    description: 'whole seconds until the window that holds the request back longest ends',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'Retry-After': { description: 'equal to x-ogw-ratelimit-reset', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
};
