import type { OperationDescriptor } from '../descriptor.js';
import { jsonBody } from '../descriptor.js';
import { ref } from '../json-schema.js';

/** POST /open-apis/auth/v3/…_access_token/internal (src/http/routes/access-token.ts). */
function tokenOperation(kind: 'tenant' | 'app'): OperationDescriptor {
  return {
    routeId: `auth.v3.${kind}_access_token.internal`,
    path: `/open-apis/auth/v3/${kind}_access_token/internal`,
    tag: 'auth',
    summary: kind === 'tenant' ? 'Get a tenant access token' : 'Get an app access token (and a tenant access token)',
    description:
      'Fields sit at the top level (no `data`). Credential errors answer HTTP 200 with a non-zero `code`, as Feishu does. ' +
      'The same token comes back while it has at least 30 minutes to live. A trailing slash on the path is accepted.' +
      (kind === 'app' ? ' For self-built apps the app access token is the tenant access token.' : ''),
    requestBody: jsonBody('AppCredentials'),
    responses: {
      '200': {
        description: 'the token, or a credential error',
        content: { 'application/json': { schema: ref(kind === 'tenant' ? 'TenantAccessToken' : 'AppAccessToken') } },
      },
    },
    errors: ['tokenRequestInvalid', 'appSecretInvalid', 'internal'],
  };
}

export const authOperations: OperationDescriptor[] = [tokenOperation('tenant'), tokenOperation('app')];
