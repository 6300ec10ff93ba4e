import { TokenService } from '../auth/tokens.js';
import { ConfigError, integerIn } from '../config/config.js';
import type { MetaStore } from '../meta/meta-store.js';
import { parseScopes } from './app-commands.js';

export interface TokenUserOptions {
  appId: string;
  userId: string;
  scopes: string;
  ttlSeconds: string;
  json?: boolean;
}

export async function tokenUser(meta: MetaStore, opts: TokenUserOptions, out: (line: string) => void): Promise<void> {
  const app = await meta.findApp(opts.appId);
  if (!app) throw new ConfigError(`no app with app_id "${opts.appId}" in this data dir`);
  if (!opts.userId.trim()) throw new ConfigError('--user-id must not be empty');
  const ttl = integerIn('--ttl-seconds', opts.ttlSeconds, 1, 366 * 24 * 3600);
  const issued = await new TokenService(meta).mintUserToken(app, opts.userId, parseScopes(opts.scopes), ttl);
  const result = { user_access_token: issued.token, expire: issued.expireSeconds };
  out(opts.json ? JSON.stringify(result) : `user_access_token: ${result.user_access_token}\nexpire:            ${result.expire}`);
}
