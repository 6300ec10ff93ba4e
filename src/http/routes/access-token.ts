import type { TokenService } from '../../auth/tokens.js';
import { LingoError } from '../../errors/lingo-error.js';
import { readJsonBody } from '../read-json-body.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';

/**
 * POST /open-apis/auth/v3/tenant_access_token/internal and …/app_access_token/internal.
 * Fields sit at the top level (no `data`), and credential errors answer HTTP 200 with a code,
 * exactly as Feishu does. For self-built apps the app token is the tenant token.
 */
export function accessTokenRoute(tokens: TokenService, kind: 'tenant' | 'app'): Route {
  return {
    kind: 'public',
    id: `auth.v3.${kind}_access_token.internal`,
    methods: ['POST'],
    pattern: new RegExp(`^/open-apis/auth/v3/${kind}_access_token/internal/?$`),
    async handle(ctx) {
      const body = await readJsonBody(ctx.req);
      const creds = body as { app_id?: unknown; app_secret?: unknown } | undefined;
      const appId = creds?.app_id;
      const appSecret = creds?.app_secret;
      if (typeof appId !== 'string' || typeof appSecret !== 'string' || appId === '' || appSecret === '') {
        throw new LingoError('tokenRequestInvalid');
      }
      const issued = await tokens.issueTenantToken(appId, appSecret);
      const payload =
        kind === 'tenant'
          ? { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: issued.expireSeconds }
          : { code: 0, msg: 'ok', app_access_token: issued.token, tenant_access_token: issued.token, expire: issued.expireSeconds };
      sendJson(ctx, 200, payload);
    },
  };
}
