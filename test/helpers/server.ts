import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import * as lark from '@larksuiteoapi/node-sdk';
import pino from 'pino';
import { buildApp, type App, type AppDeps } from '../../src/app.js';
import { createApp, type AppCredentials } from '../../src/auth/apps.js';
import { buildConfig, type ConfigInput, type ServerConfig } from '../../src/config/config.js';
import type { AppType } from '../../src/meta/meta-store.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface NewAppOptions {
  scopes?: string[];
  type?: AppType;
  tenantKey?: string;
}

export interface TestServer {
  app: App;
  config: Readonly<ServerConfig>;
  baseUrl: string;
  port: number;
  dataDir: string;
  /** Everything the server logged, one JSON line each. */
  logs: string[];
  newApp(opts?: NewAppOptions): Promise<AppCredentials>;
  sdk(creds: AppCredentials): lark.Client;
  tenantToken(creds: AppCredentials): Promise<string>;
  userToken(creds: AppCredentials, scopes: string[], ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(input: ConfigInput = {}, deps: AppDeps = {}): Promise<TestServer> {
  const dataDir = input.dataDir ?? makeTempDir('test');
  const config = buildConfig({ host: '127.0.0.1', port: 0, rateLimitPerSecond: 0, rateLimitPerMinute: 0, ...input, dataDir });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = buildApp(config, { log: pino({ level: 'info' }, sink), ...deps });
  const address = await app.listen();
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    baseUrl,
    port: address.port,
    dataDir,
    logs,
    newApp: (opts = {}) => createApp(app.meta, { name: 'test', scopes: opts.scopes ?? ['baike:entity'], type: opts.type, tenantKey: opts.tenantKey }),
    // App ids are random per app, so the SDK's process-wide token cache never mixes servers.
    sdk: (creds) => new lark.Client({ appId: creds.app_id, appSecret: creds.app_secret, domain: baseUrl, loggerLevel: lark.LoggerLevel.fatal }),
    tenantToken: async (creds) => (await app.tokens.issueTenantToken(creds.app_id, creds.app_secret)).token,
    userToken: async (creds, scopes, ttlSeconds = 3600) => {
      const row = await app.meta.findApp(creds.app_id);
      return (await app.tokens.mintUserToken(row!, 'ou_test_user', scopes, ttlSeconds)).token;
    },
    close: async () => {
      await app.close();
      removeDir(dataDir);
    },
  };
}

export interface ServerWithApp extends TestServer {
  /** The app created at start (scopes `baike:entity` unless asked otherwise). */
  creds: AppCredentials;
  /** A tenant access token of that app. */
  token: string;
  /** The official SDK, signed in as that app. */
  client: lark.Client;
}

/** A server with one app already created, and a tenant token and SDK client for it: where most API tests start. */
export async function startServerWithApp(input: ConfigInput = {}, appOpts: NewAppOptions = {}, deps: AppDeps = {}): Promise<ServerWithApp> {
  const server = await startServer(input, deps);
  try {
    const creds = await server.newApp(appOpts);
    return { ...server, creds, token: await server.tenantToken(creds), client: server.sdk(creds) };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/** Temp files and blobs under the data dir: what a failed upload must not leave behind. */
export function storedFiles(dataDir: string): { temp: string[]; blobs: string[] } {
  const root = path.join(dataDir, 'blobs');
  const all = fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]) : [];
  return {
    temp: all.filter((f) => f.startsWith('tmp' + path.sep) && f.endsWith('.part')),
    blobs: all.filter((f) => /[0-9a-f]{64}$/.test(f)),
  };
}
