import type { Principal } from '../auth/tokens.js';
import type { RequestContext } from './context.js';

/**
 * Feishu's rate tiers: tier 4 is the configured per-second and per-minute pair (50/s, 1000/min);
 * tier 3 is the write tier of entities and drafts (100/min).
 */
export type RateTier = 3 | 4;

/** What the gateway demands of an API route before its handler (and the body) is touched. */
export interface ApiAccess {
  /** Token kinds the API accepts; a user token elsewhere gets 99991668 `user access token not support`. */
  tokenKinds: readonly ('tenant' | 'user')[];
  /** Any one of these scopes admits the caller. */
  anyOfScopes: readonly string[];
  /** Feishu: the API is for self-built apps (自建应用) only. */
  selfBuiltOnly: boolean;
  /** The API's name in the rate-limit key (limits are per API × app × tenant). */
  rateLimitId: string;
  rateTier: RateTier;
}

export type Route =
  | {
      kind: 'public';
      id: string;
      methods: readonly string[];
      pattern: RegExp;
      handle(ctx: RequestContext, params: string[]): Promise<void>;
    }
  | {
      kind: 'api';
      id: string;
      methods: readonly string[];
      pattern: RegExp;
      access: ApiAccess;
      handle(ctx: RequestContext, params: string[], principal: Principal): Promise<void>;
    };

export interface RouteMatch {
  route: Route;
  params: string[];
}

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch | undefined {
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (m && route.methods.includes(method)) return { route, params: m.slice(1).map(decodeParam) };
  }
  return undefined;
}

/** A malformed escape (`%E0%A4%A`) stays raw: it then fails the route's own check, not with a 500. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
