#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { createBlobStore, createMetaStore } from './app.js';
import { appCreate, appList } from './cli/app-commands.js';
import { FsckFailed, fsckCommand, gcCommand, type Stores } from './cli/maintenance-commands.js';
import { serve } from './cli/serve-command.js';
import { tokenUser } from './cli/token-commands.js';
import { buildConfig, ConfigError, configFromEnv, mergeInputs, type ConfigInput } from './config/config.js';
import type { MetaStore } from './meta/meta-store.js';

const out = (line: string): void => void process.stdout.write(line + '\n');

/** Commands that only touch rows open the store of the data dir, run, and close it. */
async function withMeta(dataDir: string | undefined, run: (meta: MetaStore) => Promise<void>): Promise<void> {
  const config = buildConfig(mergeInputs(configFromEnv(process.env), { dataDir }));
  const meta = createMetaStore(config.metaStore);
  try {
    await run(meta);
  } finally {
    await meta.close();
  }
}

/** Commands that check or clean data open both stores of the data dir. */
async function withStores(dataDir: string | undefined, run: (stores: Stores) => Promise<void>): Promise<void> {
  const config = buildConfig(mergeInputs(configFromEnv(process.env), { dataDir }));
  const meta = createMetaStore(config.metaStore);
  const stores = { meta, blobs: createBlobStore(config.blobStore, meta) };
  try {
    // Recovers a data dir that no server is writing; beside a running server, reads (and deletes) only.
    await stores.blobs.open?.({ exclusive: false });
    await run(stores);
  } finally {
    await Promise.all([stores.meta.close(), stores.blobs.close()]);
  }
}

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'data directory (env LINGO_DATA_DIR)');

export function cli(): Command {
  const program = new Command('lingo-server')
    .description('Self-hostable, wire-compatible Feishu Lingo file API')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the HTTP server')
    .option('--host <host>', 'listen address (env LINGO_HOST)')
    .option('--port <port>', 'listen port, 0 for any (env LINGO_PORT)')
    .addOption(dataDirOption())
    .option('--rate-limit-per-second <n>', 'requests per second per API × app × tenant, 0 disables')
    .option('--rate-limit-per-minute <n>', 'requests per minute per API × app × tenant, 0 disables')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env LINGO_LOG_LEVEL)')
    .option('--pack-max-bytes <n>', 'blobs up to this size are appended to segment files, larger ones are files; 0: all files (default 262144)')
    .option('--headers-timeout-ms <ms>', 'time allowed to send request headers (default 10000)')
    .option('--idle-timeout-ms <ms>', 'longest silence on a connection mid-request (default 30000)')
    .option('--request-timeout-ms <ms>', 'whole-request deadline, body included (default 300000)')
    .option('--shutdown-grace-ms <ms>', 'how long SIGTERM waits for in-flight requests (default 20000)')
    .action(async (opts: ConfigInput) => {
      await serve(buildConfig(mergeInputs(configFromEnv(process.env), opts)), out);
    });

  const app = program.command('app').description('manage apps (works while a server runs on the same data dir)');
  app
    .command('create')
    .description('register an app and print its credentials')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--scopes <a,b>', 'comma-separated scopes, e.g. baike:entity')
    .option('--tenant <key>', 'tenant key (default: a new random tenant)')
    .option('--type <type>', 'self_built or store', 'self_built')
    .addOption(dataDirOption())
    .option('--json', 'print {"app_id","app_secret","tenant_key"}')
    .action((opts: Parameters<typeof appCreate>[1] & { dataDir?: string }) => withMeta(opts.dataDir, (m) => appCreate(m, opts, out)));
  app
    .command('list')
    .description('list apps')
    .addOption(dataDirOption())
    .option('--json', 'print JSON')
    .action((opts: { dataDir?: string; json?: boolean }) => withMeta(opts.dataDir, (m) => appList(m, !!opts.json, out)));

  program
    .command('token')
    .description('mint access tokens')
    .command('user')
    .description('mint a user access token (u-…) for scripts and tests')
    .requiredOption('--app-id <id>', 'the app the user authorized')
    .requiredOption('--user-id <id>', 'the user')
    .requiredOption('--scopes <a,b>', 'privileges the user granted, comma-separated')
    .option('--ttl-seconds <n>', 'lifetime in seconds', '7200')
    .addOption(dataDirOption())
    .option('--json', 'print {"user_access_token","expire"}')
    .action((opts: Parameters<typeof tokenUser>[1] & { dataDir?: string }) => withMeta(opts.dataDir, (m) => tokenUser(m, opts, out)));

  program
    .command('fsck')
    .description("verify that every file's blob exists and matches its SHA-256 and size (exit 1 if not)")
    .addOption(dataDirOption())
    .option('--json', 'print the report as JSON')
    .action((opts: { dataDir?: string; json?: boolean }) => withStores(opts.dataDir, (s) => fsckCommand(s, !!opts.json, out)));

  program
    .command('gc')
    .description('remove unreferenced blobs and stale temp files older than the grace period')
    .option('--grace-seconds <n>', 'only remove what is older than this', '3600')
    .addOption(dataDirOption())
    .option('--json', 'print the report as JSON')
    .action((opts: { dataDir?: string; graceSeconds?: string; json?: boolean }) =>
      withStores(opts.dataDir, (s) => gcCommand(s, opts.graceSeconds, !!opts.json, out)),
    );

  return program;
}

async function main(): Promise<void> {
  try {
    await cli().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof FsckFailed) {
      process.stderr.write(`lingo-server: fsck: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`lingo-server: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`lingo-server: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  }
}

void main();
