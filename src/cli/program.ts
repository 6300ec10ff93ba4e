import { Command } from 'commander';
import { createBlobStore, createMetaStore } from '../app.js';
import { registerClientCommands } from '../client/client-commands.js';
import { loadConfig } from '../config/config.js';
import type { MetaStore } from '../meta/meta-store.js';
import { appCreate, appList } from './app-commands.js';
import { configPrint } from './config-command.js';
import { consoleToken, type ConsoleTokenOptions } from './console-commands.js';
import { createGlossaryStore } from '../glossary/create-glossary-store.js';
import { DraftService } from '../glossary/draft-service.js';
import { EntityService } from '../glossary/entity-service.js';
import { classificationCreate, draftList, draftReview, repoCreate, repoGrant, repoList, type GlossaryCommandStores } from './glossary-commands.js';
import { fsckCommand, gcCommand, type Stores } from './maintenance-commands.js';
import { packageVersion } from './package-version.js';
import { migrateCommand, migrateEndpoints, migrateOptions, type MigrateCommandOptions } from './migrate-command.js';
import { serve } from './serve-command.js';
import { settingFlags, settingOptions } from './setting-options.js';
import { tokenUser } from './token-commands.js';

const out = (line: string): void => void process.stdout.write(line + '\n');
const err = (line: string): void => void process.stderr.write(line + '\n');

/** Flags over the environment over defaults, for the settings among a command's options. */
const configOf = (opts: object) => loadConfig({ env: process.env, flags: settingFlags(opts as Record<string, unknown>) });

/** Commands that only touch rows open the store of the data dir, run, and close it. */
async function withMeta(opts: object, run: (meta: MetaStore) => Promise<void>): Promise<void> {
  const meta = createMetaStore(configOf(opts).config.metaStore);
  try {
    await run(meta);
  } finally {
    await meta.close();
  }
}

/** Repo, classification and draft commands: the rows, seen through the glossary's services. */
async function withGlossary(opts: object, run: (stores: GlossaryCommandStores) => Promise<void>): Promise<void> {
  await withMeta(opts, async (meta) => {
    await meta.ping();
    const glossary = createGlossaryStore(meta);
    await run({ meta, glossary, drafts: new DraftService(glossary, new EntityService(meta, glossary)) });
  });
}

/** Commands that check or clean data open both stores of the data dir. */
async function withStores(opts: object, run: (stores: Stores) => Promise<void>): Promise<void> {
  const { config } = configOf(opts);
  const meta = createMetaStore(config.metaStore);
  const stores = { meta, blobs: createBlobStore(config.blobStore, meta) };
  try {
    // The rows' schema first (an S3 store's ledger lives in it). Then recovery of a data dir that
    // no server is writing; beside a running server, reads (and deletes) only.
    await stores.meta.ping();
    await stores.blobs.open({ exclusive: false });
    await run(stores);
  } finally {
    // Blobs first: an S3 store's last ledger queries run on the metadata store's pool.
    await stores.blobs.close();
    await stores.meta.close();
  }
}

/** Adds the options of the settings table (all of them for `serve`, `--data-dir` for the rest). */
function withSettings(command: Command, scope: 'serve' | 'data'): Command {
  for (const option of settingOptions(scope)) command.addOption(option);
  return command;
}

export function cli(): Command {
  const program = new Command('lingo-server')
    .description('Self-hostable, wire-compatible Feishu (Lark) Lingo v1: entry images and the glossary')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();

  withSettings(program.command('serve').description('run the HTTP server'), 'serve').action(async (opts: Record<string, unknown>) => {
    await serve(configOf(opts).config, out);
  });

  const config = program.command('config').description('inspect the settings');
  withSettings(config.command('print').description('show the effective value of each setting and where it came from (default, file, env, flag)'), 'serve')
    .option('--json', 'print {"<setting>":{"value","source","flag","env"}, …}')
    .action((opts: Record<string, unknown>) => configPrint(configOf(opts).resolved, !!opts.json, out));

  const app = program.command('app').description('manage apps (works while a server runs on the same data dir)');
  withSettings(
    app
      .command('create')
      .description('register an app and print its credentials')
      .requiredOption('--name <name>', 'display name')
      .requiredOption('--scopes <a,b>', 'comma-separated scopes, e.g. baike:entity')
      .option('--tenant <key>', 'tenant key (default: a new random tenant)')
      .option('--type <type>', 'self_built or store', 'self_built'),
    'data',
  )
    .option('--json', 'print {"app_id","app_secret","tenant_key"}')
    .action((opts: Parameters<typeof appCreate>[1]) => withMeta(opts, (m) => appCreate(m, opts, out)));
  withSettings(app.command('list').description('list apps'), 'data')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => withMeta(opts, (m) => appList(m, !!opts.json, out)));

  withSettings(
    program
      .command('token')
      .description('mint access tokens')
      .command('user')
      .description('mint a user access token (u-…) for scripts and tests')
      .requiredOption('--app-id <id>', 'the app the user authorized')
      .requiredOption('--user-id <id>', 'the user')
      .requiredOption('--scopes <a,b>', 'privileges the user granted, comma-separated')
      .option('--ttl-seconds <n>', 'lifetime in seconds', '7200'),
    'data',
  )
    .option('--json', 'print {"user_access_token","expire"}')
    .action((opts: Parameters<typeof tokenUser>[1]) => withMeta(opts, (m) => tokenUser(m, opts, out)));

  withSettings(program.command('fsck').description("verify that every file's blob exists and matches its SHA-256 and size (exit 1 if not)"), 'data')
    .option('--json', 'print the report as JSON')
    .action((opts: { json?: boolean }) => withStores(opts, (s) => fsckCommand(s, !!opts.json, out)));

  withSettings(program.command('gc').description('remove unreferenced blobs and stale temp files older than the grace period'), 'data')
    .option('--grace-seconds <n>', 'only remove what is older than this', '3600')
    .option('--json', 'print the report as JSON')
    .action((opts: { graceSeconds?: string; json?: boolean }) => withStores(opts, (s) => gcCommand(s, opts.graceSeconds, !!opts.json, out)));

  const migrate = withSettings(
    program
      .command('migrate')
      .description('copy a data dir (every row, and every blob a row references, hash-checked) into the destination; stop its server first; safe to re-run'),
    'data',
  );
  for (const option of migrateOptions()) migrate.addOption(option);
  migrate
    .option('--to-data-dir <dir>', 'an embedded destination data dir (--data-dir is the source; --meta, --blob and their options name the destination)')
    .option('--json', 'print the summary as JSON ({"apps","tokens","files","blobs","notCopied","glossary","glossaryConflicts"}), no progress lines')
    .action((opts: MigrateCommandOptions) => migrateCommand(migrateEndpoints(opts, process.env), !!opts.json, out, err));

  const repo = program.command('repo').description('manage repos (词库): create them and grant apps access');
  withSettings(repo.command('create').description('create a repo in a tenant (each tenant also has its company-wide repo)'), 'data')
    .requiredOption('--tenant <key>', 'tenant key')
    .requiredOption('--name <name>', 'repo name')
    .option('--json', 'print {"id","name"}')
    .action((opts: Parameters<typeof repoCreate>[1]) => withGlossary(opts, (s) => repoCreate(s, opts, out)));
  withSettings(repo.command('grant').description('let an app of the same tenant read and write a repo'), 'data')
    .requiredOption('--repo-id <id>', 'repo id')
    .requiredOption('--app-id <id>', 'app id')
    .action((opts: Parameters<typeof repoGrant>[1]) => withGlossary(opts, (s) => repoGrant(s, opts, out)));
  withSettings(repo.command('list').description("list a tenant's repos, the company-wide one first"), 'data')
    .requiredOption('--tenant <key>', 'tenant key')
    .option('--json', 'print [{"id","name"}]')
    .action((opts: Parameters<typeof repoList>[1]) => withGlossary(opts, (s) => repoList(s, opts, out)));

  const classification = program.command('classification').description('manage classifications (two levels per repo)');
  withSettings(classification.command('create').description('create a first-level classification, or a second-level one with --parent'), 'data')
    .requiredOption('--tenant <key>', 'tenant key')
    .requiredOption('--name <name>', 'name, 1-20 characters')
    .option('--parent <id>', 'first-level classification id: makes a second-level one')
    .option('--repo-id <id>', "repo id (default: the tenant's company-wide repo)")
    .option('--json', 'print {"id","name","father_id"?}')
    .action((opts: Parameters<typeof classificationCreate>[1]) => withGlossary(opts, (s) => classificationCreate(s, opts, out)));

  const draft = program.command('draft').description('review drafts (the open API has no review)');
  withSettings(draft.command('list').description("list a tenant's drafts"), 'data')
    .requiredOption('--tenant <key>', 'tenant key')
    .option('--state <state>', 'pending, approved or rejected')
    .option('--json', 'print [{"draft_id","state","entity"}]')
    .action((opts: Parameters<typeof draftList>[1]) => withGlossary(opts, (s) => draftList(s, opts, out)));
  withSettings(draft.command('approve').argument('<draft_id>').description('approve a pending draft: it creates or overwrites its entity'), 'data').action(
    (draftId: string, opts: object) => withGlossary(opts, (s) => draftReview(s, draftId, 'approved', out)),
  );
  withSettings(draft.command('reject').argument('<draft_id>').description('reject a pending draft'), 'data').action((draftId: string, opts: object) =>
    withGlossary(opts, (s) => draftReview(s, draftId, 'rejected', out)),
  );

  withSettings(
    program
      .command('console')
      .description('the web console at /console')
      .command('token')
      .description("mint a console sign-in token for a tenant's administrator"),
    'data',
  )
    .requiredOption('--tenant <key>', 'tenant key')
    .option('--ttl-seconds <n>', 'lifetime in seconds', '3600')
    .option('--json', 'print {"console_token","expire"}')
    .action((opts: ConsoleTokenOptions) => withGlossary(opts, (s) => consoleToken(s, opts, out)));

  registerClientCommands(program);
  return program;
}
