import { invalidParam } from '../errors/lingo-error.js';
import { readJsonObject } from '../http/json-request.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { ConsoleAuth, ConsoleSession } from './console-auth.js';
import { checkSameOrigin, sessionCookieName, sessionIdOf, sessionCookie, setSecurityHeaders } from './console-http.js';
import { consoleRoute, sendConsoleError } from './console-route.js';

const sessionJson = (s: ConsoleSession) => ({ tenant_key: s.tenantKey, expire: Math.floor(s.expiresAtMs / 1000), csrf_token: s.csrfToken });

/**
 * /console/api/session: POST signs in with a console token (no session yet, so no CSRF token:
 * the origin check alone guards it); GET tells the page who it is and its CSRF token; DELETE
 * signs out.
 */
export function sessionRoutes(auth: ConsoleAuth): Route[] {
  const signIn: Route = {
    kind: 'public',
    id: 'console.session.create',
    methods: ['POST'],
    pattern: /^\/console\/api\/session$/,
    async handle(ctx) {
      setSecurityHeaders(ctx.res);
      ctx.res.setHeader('Cache-Control', 'no-store');
      try {
        checkSameOrigin(ctx.req);
        const body = await readJsonObject(ctx);
        const token = body.console_token;
        if (typeof token !== 'string' || token.length === 0 || token.length > 200)
          throw invalidParam('console_token', 'must be the console token printed by `lingo-server console token`');
        const { sessionId, session } = await auth.signIn(token.trim());
        const maxAge = Math.floor((session.expiresAtMs - Date.now()) / 1000);
        sendJson(ctx, 200, { code: 0, msg: 'success', data: sessionJson(session) }, { 'Set-Cookie': sessionCookie(ctx.req, sessionId, maxAge) });
      } catch (err) {
        sendConsoleError(ctx, err);
      }
    },
  };
  return [
    signIn,
    consoleRoute(auth, { id: 'session.get', methods: ['GET'], pattern: /^\/console\/api\/session$/, run: async ({ session }) => sessionJson(session) }),
    consoleRoute(auth, {
      id: 'session.delete',
      methods: ['DELETE'],
      pattern: /^\/console\/api\/session$/,
      async run({ ctx }) {
        await auth.signOut(sessionIdOf(ctx.req)!);
        ctx.res.setHeader('Set-Cookie', `${sessionCookieName}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`);
        return {};
      },
    }),
  ];
}
