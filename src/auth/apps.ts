import { LingoError } from '../errors/lingo-error.js';
import type { AppRow, AppType, MetaStore } from '../meta/meta-store.js';
import { randomString } from '../random/random-pool.js';
import { sha256Hex } from './secrets.js';

export interface NewApp {
  name: string;
  scopes: string[];
  tenantKey?: string | undefined;
  type?: AppType | undefined;
}

export interface AppCredentials {
  app_id: string;
  app_secret: string;
  tenant_key: string;
}

const lowerAlnum = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Registers an app. Secrets are 32 random base62 characters (~190 bits), so a plain SHA-256 is
 * a sufficient one-way store: stretching (scrypt, argon2) only protects guessable secrets.
 */
export async function createApp(meta: MetaStore, input: NewApp): Promise<AppCredentials> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const appId = 'cli_' + randomString(16, lowerAlnum);
    const appSecret = randomString(32);
    const row: AppRow = {
      appId,
      name: input.name,
      secretHash: sha256Hex(appSecret),
      tenantKey: input.tenantKey ?? randomString(16, lowerAlnum),
      type: input.type ?? 'self_built',
      scopes: [...new Set(input.scopes)],
      createdAtMs: Date.now(),
    };
    if ((await meta.insertApp(row)) === 'ok') {
      return { app_id: appId, app_secret: appSecret, tenant_key: row.tenantKey };
    }
  }
  throw new LingoError('internal', { cause: new Error('could not allocate a unique app id') });
}
