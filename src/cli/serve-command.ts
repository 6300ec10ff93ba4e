import { buildApp } from '../app.js';
import { createApp, type AppCredentials } from '../auth/apps.js';
import type { ServerConfig } from '../config/config.js';
import { defaultConsoleTokenTtlSeconds } from '../console/console-auth.js';

/** Runs the server until SIGTERM/SIGINT, then shuts down gracefully. */
export async function serve(config: Readonly<ServerConfig>, out: (line: string) => void): Promise<void> {
  const app = buildApp(config);
  // Zero setup: a fresh data dir gets one self-built app, so the first curl works at once.
  if ((await app.meta.listApps()).length === 0) {
    const creds = await createApp(app.meta, { name: 'default', scopes: ['baike:entity'] });
    const signIn = await app.console.issueToken(creds.tenant_key, defaultConsoleTokenTtlSeconds);
    out(firstRunBanner(config, creds, signIn.token));
  }
  const address = await app.listen();
  out(`lingo-server listening on http://${address.address}:${address.port} (data: ${config.dataDir})`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out(`${signal}: finishing in-flight requests, then closing`);
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function firstRunBanner(config: Readonly<ServerConfig>, creds: AppCredentials, consoleToken: string): string {
  const { app_id: appId, app_secret: appSecret, tenant_key: tenantKey } = creds;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  return [
    'Created a self-built app for this data dir (scope baike:entity):',
    `  app_id:     ${appId}`,
    `  app_secret: ${appSecret}`,
    'Get a tenant token:',
    `  curl -s -X POST ${base}/open-apis/auth/v3/tenant_access_token/internal \\`,
    `    -H 'Content-Type: application/json' -d '{"app_id":"${appId}","app_secret":"${appSecret}"}'`,
    `Sign in to the console (the token works for ${defaultConsoleTokenTtlSeconds / 3600} h; mint another with \`lingo-server console token --tenant ${tenantKey}\`):`,
    `  ${base}/console/sign-in#token=${consoleToken}`,
  ].join('\n');
}
