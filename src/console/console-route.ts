import type { Principal } from '../auth/tokens.js';
import { LingoError } from '../errors/lingo-error.js';
import type { RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { ConsoleAuth, ConsoleSession } from './console-auth.js';
import { checkStateChange, consoleSecurityHeaders, isSafeMethod, sessionIdOf, setSecurityHeaders } from './console-http.js';
import { consolePrincipal } from './console-principal.js';

export interface ConsoleCall {
  ctx: RequestContext;
  params: string[];
  session: ConsoleSession;
  principal: Principal;
  query: URLSearchParams;
}

export interface ConsoleOperation {
  id: string;
  methods: readonly string[];
  pattern: RegExp;
  /** Returns the `data` of `{code: 0, msg: 'success', data}`, or 'sent' when it answered itself. */
  run(call: ConsoleCall): Promise<unknown>;
}

/**
 * A /console/api operation: a public route as the gateway sees it (no bearer token is even looked
 * at), guarded here by the session cookie, and for every change by the CSRF token and origin
 * checks. Errors are rendered by the API's one renderer, with the console's headers kept.
 */
export function consoleRoute(auth: ConsoleAuth, op: ConsoleOperation): Route {
  return {
    kind: 'public',
    id: `console.${op.id}`,
    methods: op.methods,
    pattern: op.pattern,
    async handle(ctx, params) {
      setSecurityHeaders(ctx.res);
      ctx.res.setHeader('Cache-Control', 'no-store');
      try {
        const session = await auth.session(sessionIdOf(ctx.req));
        if (!session) throw new LingoError('consoleSignInRequired');
        if (!isSafeMethod(ctx.req.method)) checkStateChange(ctx.req, session);
        const query = new URL(ctx.req.url ?? '/', 'http://x').searchParams;
        const data = await op.run({ ctx, params, session, principal: consolePrincipal(session), query });
        if (data !== 'sent') sendJson(ctx, 200, { code: 0, msg: 'success', data });
      } catch (err) {
        sendConsoleError(ctx, err);
      }
    },
  };
}

/** sendError clears the response's headers; the console's security headers go back on. */
export function sendConsoleError(ctx: RequestContext, err: unknown): void {
  const error = err instanceof LingoError ? err : new LingoError('internal', { cause: err });
  error.details.headers = { ...error.details.headers, ...consoleSecurityHeaders, 'Cache-Control': 'no-store' };
  sendError(ctx, error);
}
