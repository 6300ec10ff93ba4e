import type { Principal } from '../auth/tokens.js';
import type { ConsoleSession } from './console-auth.js';

export const consoleActor = 'console';
const everyScope = ['baike:entity', 'baike:entity:exempt_review', 'baike:entity:exempt_delete', 'baike:entity:readonly'];

/**
 * The console calls the open API's services as a synthetic self-built app of the session's tenant,
 * named `console` (the creator and updater of what it writes), with every scope, and `console`
 * set: it sees every repo of the tenant (RepoAccess). It is never stored, so no token names it.
 */
export function consolePrincipal(session: ConsoleSession): Principal {
  return {
    kind: 'tenant',
    app: { appId: consoleActor, name: 'console', secretHash: '', tenantKey: session.tenantKey, type: 'self_built', scopes: everyScope, createdAtMs: 0 },
    tenantKey: session.tenantKey,
    userId: null,
    scopes: everyScope,
    expiresAtMs: session.expiresAtMs,
    console: true,
  };
}
