import type { Principal, TokenService } from '../auth/tokens.js';
import type { RateLimitConfig } from '../config/config.js';
import type { PermissionViolation } from '../errors/catalogue.js';
import { LingoError } from '../errors/lingo-error.js';
import type { RateLimiter, RateLimitRule } from '../ratelimit/rate-limiter.js';
import type { RequestContext } from './context.js';
import type { ApiAccess, RateTier } from './route.js';

/**
 * Feishu's open-platform gateway, in its order: bearer token, scope, rate limit. It runs before
 * any byte of the body is read, so a refused 10 MiB upload costs us only its headers.
 */
export class Gateway {
  private readonly rules: Record<RateTier, RateLimitRule[]>;

  constructor(
    private readonly tokens: TokenService,
    private readonly limiter: RateLimiter,
    rateLimit: RateLimitConfig,
  ) {
    const enabled = (rules: RateLimitRule[]) => rules.filter((r) => r.limit > 0);
    this.rules = {
      3: enabled([{ limit: rateLimit.tier3PerMinute, windowSeconds: 60 }]),
      4: enabled([
        { limit: rateLimit.perSecond, windowSeconds: 1 },
        { limit: rateLimit.perMinute, windowSeconds: 60 },
      ]),
    };
  }

  async admit(ctx: RequestContext, access: ApiAccess): Promise<Principal> {
    const token = bearerToken(ctx.req.headers.authorization);
    if (!token) throw new LingoError('missingAccessToken');
    const principal = await this.tokens.verify(token);
    checkAccess(principal, access);
    const rules = this.rules[access.rateTier];
    if (rules.length > 0) {
      const key = `${access.rateLimitId}:${principal.app.appId}:${principal.tenantKey}`;
      const decision = await this.limiter.take(key, rules);
      if (!decision.ok) {
        const reset = String(decision.resetSeconds);
        throw new LingoError('rateLimited', {
          headers: { 'x-ogw-ratelimit-limit': String(decision.limit), 'x-ogw-ratelimit-reset': reset, 'Retry-After': reset },
        });
      }
    }
    return principal;
  }
}

/** `Bearer <token>`, scheme case-insensitive; anything else counts as no token at all. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
  return m?.[1];
}

function checkAccess(principal: Principal, access: ApiAccess): void {
  if (!access.tokenKinds.includes(principal.kind)) throw new LingoError('userTokenNotSupported');
  if (access.selfBuiltOnly && principal.app.type !== 'self_built') {
    throw new LingoError('appTypeRequired', {
      permissionViolations: [{ type: 'app_type_required', subject: 'self_built' }],
    });
  }
  if (access.anyOfScopes.some((s) => principal.scopes.includes(s))) return;
  const type: PermissionViolation['type'] = principal.kind === 'user' ? 'action_privilege_required' : 'action_scope_required';
  throw new LingoError(principal.kind === 'user' ? 'userScopeMissing' : 'appScopeMissing', {
    msgParams: { scopes: access.anyOfScopes.join(', ') },
    permissionViolations: access.anyOfScopes.map((subject) => ({ type, subject })),
  });
}
