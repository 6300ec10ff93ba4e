import { ConsoleAuth, maxConsoleTokenTtlSeconds } from '../console/console-auth.js';
import { integerIn } from '../config/config.js';
import type { GlossaryStore } from '../glossary/glossary-store.js';
import type { MetaStore } from '../meta/meta-store.js';

export interface ConsoleTokenOptions {
  tenant: string;
  ttlSeconds: string;
  json?: boolean;
}

/** `lingo-server console token`: a console token for one tenant's administrator. */
export async function consoleToken(
  stores: { meta: MetaStore; glossary: GlossaryStore },
  opts: ConsoleTokenOptions,
  out: (line: string) => void,
): Promise<void> {
  const ttl = integerIn('--ttl-seconds', opts.ttlSeconds, 1, maxConsoleTokenTtlSeconds);
  const issued = await new ConsoleAuth(stores.glossary, stores.meta).issueToken(opts.tenant, ttl);
  const result = { console_token: issued.token, expire: issued.expireSeconds };
  out(
    opts.json
      ? JSON.stringify(result)
      : `console_token: ${result.console_token}\nexpire:        ${result.expire}\nSign in at /console/sign-in with this token.`,
  );
}
