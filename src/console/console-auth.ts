import { randomBytes } from 'node:crypto';
import { hmacHex, sha256Hex } from '../auth/secrets.js';
import { ConfigError } from '../config/config.js';
import { LingoError } from '../errors/lingo-error.js';
import type { ConsoleStore } from '../glossary/glossary-store.js';
import type { MetaStore } from '../meta/meta-store.js';

/** A session lasts this long from sign-in; signing in again (the token still live) makes a new one. */
export const consoleSessionLifetimeMs = 8 * 60 * 60 * 1000;
export const defaultConsoleTokenTtlSeconds = 3600;
export const maxConsoleTokenTtlSeconds = 30 * 24 * 3600;

export interface ConsoleSession {
  tenantKey: string;
  expiresAtMs: number;
  /** Sent back in X-Console-Csrf on every state-changing request (double submit, bound to the session). */
  csrfToken: string;
}

/**
 * Console sign-in. A console token (`lc-…`, minted by `lingo-server console token`) is exchanged
 * for a session; both are 256-bit random secrets stored only as SHA-256 hashes, like user tokens.
 * The token stays usable until it expires (the printed sign-in URL works again after a restart);
 * the session id lives only in an HttpOnly cookie. The CSRF token is derived from the session id,
 * so it needs no row and cannot be computed by a page that cannot read the cookie.
 */
export class ConsoleAuth {
  constructor(
    private readonly store: ConsoleStore,
    private readonly meta: MetaStore,
    private readonly now: () => number = Date.now,
  ) {}

  async issueToken(tenantKey: string, ttlSeconds: number = defaultConsoleTokenTtlSeconds): Promise<{ token: string; expireSeconds: number }> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxConsoleTokenTtlSeconds) {
      throw new ConfigError(`--ttl-seconds must be a whole number from 1 to ${maxConsoleTokenTtlSeconds}`);
    }
    // A tenant exists when an app belongs to it: a typo must not mint a token for an empty tenant.
    if (!(await this.meta.listApps()).some((a) => a.tenantKey === tenantKey)) throw new ConfigError(`no app belongs to tenant ${tenantKey}`);
    const token = 'lc-' + randomBytes(32).toString('base64url');
    const now = this.now();
    await this.store.insertConsoleCredential({ hash: sha256Hex(token), kind: 'token', tenantKey, expiresAtMs: now + ttlSeconds * 1000 }, now);
    return { token, expireSeconds: ttlSeconds };
  }

  /** Console token → a new session id (for the cookie) and its session. */
  async signIn(token: string): Promise<{ sessionId: string; session: ConsoleSession }> {
    const row = await this.store.findConsoleCredential(sha256Hex(token));
    const now = this.now();
    if (!row || row.kind !== 'token' || row.expiresAtMs <= now) throw new LingoError('consoleTokenInvalid');
    const sessionId = randomBytes(32).toString('base64url');
    const expiresAtMs = now + consoleSessionLifetimeMs;
    await this.store.insertConsoleCredential({ hash: sha256Hex(sessionId), kind: 'session', tenantKey: row.tenantKey, expiresAtMs }, now);
    return { sessionId, session: { tenantKey: row.tenantKey, expiresAtMs, csrfToken: csrfTokenOf(sessionId) } };
  }

  /** The live session a cookie names, else undefined. */
  async session(sessionId: string | undefined): Promise<ConsoleSession | undefined> {
    if (!sessionId) return undefined;
    const row = await this.store.findConsoleCredential(sha256Hex(sessionId));
    if (!row || row.kind !== 'session' || row.expiresAtMs <= this.now()) return undefined;
    return { tenantKey: row.tenantKey, expiresAtMs: row.expiresAtMs, csrfToken: csrfTokenOf(sessionId) };
  }

  signOut(sessionId: string): Promise<void> {
    return this.store.deleteConsoleCredential(sha256Hex(sessionId));
  }
}

function csrfTokenOf(sessionId: string): string {
  return hmacHex(sessionId, 'lingo-console-csrf');
}
