import { randomBytes } from 'node:crypto';
import { LingoError } from '../errors/lingo-error.js';
import type { AppRow, MetaStore, TokenRow } from '../meta/meta-store.js';
import { randomString } from '../random/random-pool.js';
import { digestsEqual, hmacHex, sha256Hex } from './secrets.js';

/** Feishu: tokens live two hours; the same one is handed out again until 30 minutes are left. */
export const tenantTokenLifetimeMs = 2 * 60 * 60 * 1000;
export const tenantTokenReuseMinRemainingMs = 30 * 60 * 1000;

export interface IssuedToken {
  token: string;
  expireSeconds: number;
}

export interface Principal {
  kind: 'tenant' | 'user';
  app: AppRow;
  tenantKey: string;
  userId: string | null;
  scopes: readonly string[];
  expiresAtMs: number;
  /** The console's administrator of the tenant (src/console/console-principal.ts): sees every repo of it. */
  console?: true;
}

/**
 * A verified token is remembered this long, so a busy client costs no database reads per call.
 * What it delays: a change to an app's scopes reaches its tokens up to this late. Expiry is never
 * delayed (an entry lives no longer than its token), and unknown tokens are never cached.
 */
export const verifiedTokenCacheMs = 1000;
const verifiedTokenCacheEntries = 10_000;

export class TokenService {
  private readonly verified = new Map<string, { principal: Principal; untilMs: number }>();

  constructor(
    private readonly meta: MetaStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * App credentials → tenant token. Only token hashes are stored; the token itself is an HMAC of
   * the row's nonce keyed by the app secret, so the same token can be handed out again to a
   * caller who proves the secret, without the database ever holding a usable token. The store
   * picks the row to reuse, or inserts the new one, atomically for every instance that shares it.
   */
  async issueTenantToken(appId: string, appSecret: string): Promise<IssuedToken> {
    const app = await this.meta.findApp(appId);
    // One answer for an unknown app and a wrong secret: app ids cannot be enumerated.
    if (!app || !digestsEqual(sha256Hex(appSecret), app.secretHash)) throw new LingoError('appSecretInvalid');
    const now = this.now();
    const row = await this.meta.issueTenantToken(app.appId, app.tenantKey, now + tenantTokenReuseMinRemainingMs, () => {
      const fresh: TokenRow = {
        tokenHash: '',
        kind: 'tenant',
        appId: app.appId,
        tenantKey: app.tenantKey,
        userId: null,
        scopes: null,
        nonce: randomBytes(16).toString('hex'),
        issuedAtMs: now,
        expiresAtMs: now + tenantTokenLifetimeMs,
      };
      return { ...fresh, tokenHash: sha256Hex(deriveTenantToken(appSecret, fresh)) };
    });
    return { token: deriveTenantToken(appSecret, row), expireSeconds: secondsLeft(row, now) };
  }

  /** Mints a user access token for scripts and tests (Feishu issues these through OAuth). */
  async mintUserToken(app: AppRow, userId: string, scopes: string[], ttlSeconds: number): Promise<IssuedToken> {
    const now = this.now();
    const token = 'u-' + randomString(40);
    await this.meta.insertToken({
      tokenHash: sha256Hex(token),
      kind: 'user',
      appId: app.appId,
      tenantKey: app.tenantKey,
      userId,
      scopes: [...new Set(scopes)],
      nonce: '',
      issuedAtMs: now,
      expiresAtMs: now + ttlSeconds * 1000,
    });
    return { token, expireSeconds: ttlSeconds };
  }

  /**
   * Bearer token → who is calling. Tokens are told apart by their row; the `u-` prefix is used
   * only to pick the right error for a token we have never seen.
   */
  async verify(token: string): Promise<Principal> {
    const now = this.now();
    // Keyed by the token itself (it is in this process's memory anyway, in the request): a hit
    // then costs no SHA-256. Only the database is kept free of usable tokens.
    const cached = this.verified.get(token);
    if (cached && cached.untilMs > now) return cached.principal;
    const principal = await this.lookup(token, sha256Hex(token));
    if (this.verified.size >= verifiedTokenCacheEntries) this.verified.clear();
    this.verified.set(token, { principal, untilMs: Math.min(now + verifiedTokenCacheMs, principal.expiresAtMs) });
    return principal;
  }

  private async lookup(token: string, tokenHash: string): Promise<Principal> {
    const row = await this.meta.findToken(tokenHash);
    if (!row) throw new LingoError(token.startsWith('u-') ? 'invalidUserToken' : 'invalidTenantToken');
    const app = await this.meta.findApp(row.appId);
    const expired = row.expiresAtMs <= this.now();
    if (row.kind === 'user') {
      if (!app) throw new LingoError('invalidUserToken');
      if (expired) throw new LingoError('userTokenExpired');
      return { kind: 'user', app, tenantKey: row.tenantKey, userId: row.userId, scopes: row.scopes ?? [], expiresAtMs: row.expiresAtMs };
    }
    if (!app || expired) throw new LingoError('invalidTenantToken');
    // The app's scopes are read live: a scope granted or withdrawn takes effect at once.
    return { kind: 'tenant', app, tenantKey: row.tenantKey, userId: null, scopes: app.scopes, expiresAtMs: row.expiresAtMs };
  }
}

function deriveTenantToken(appSecret: string, row: Pick<TokenRow, 'appId' | 'tenantKey' | 'nonce'>): string {
  return 't-' + hmacHex(appSecret, `tenant_access_token\n${row.appId}\n${row.tenantKey}\n${row.nonce}`).slice(0, 40);
}

function secondsLeft(row: TokenRow, now: number): number {
  return Math.floor((row.expiresAtMs - now) / 1000);
}
