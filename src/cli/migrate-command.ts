import fs from 'node:fs';
import path from 'node:path';
import type { Option } from 'commander';
import { createBlobStore, createMetaStore } from '../app.js';
import { buildConfig, ConfigError, loadConfig, type BlobStoreConfig, type MetaStoreConfig } from '../config/config.js';
import { settings } from '../config/settings.js';
import { migrate, type MigrateReport, type StorePair } from '../maintenance/migrate.js';
import { DataDirBusyError } from '../storage/blob-store.js';
import { settingFlags, settingOption } from './setting-options.js';

export interface MigrateCommandOptions {
  json?: boolean;
  toDataDir?: string;
  [option: string]: unknown;
}

interface StoreConfigs {
  metaStore: MetaStoreConfig;
  blobStore: BlobStoreConfig;
}

export interface MigrateEndpoints {
  sourceDir: string;
  source: StoreConfigs;
  destination: StoreConfigs;
}

/** The settings that describe the destination, beyond the `data` ones every store command takes. */
const destinationSettings = settings.filter((s) => s.key === 'segmentBlobMaxBytes');

/** Options of `migrate` besides the `data` settings: the destination's. */
export function migrateOptions(): Option[] {
  return destinationSettings.map(settingOption);
}

/**
 * The one place that reads migrate's options. Source: the embedded stores of --data-dir
 * (LINGO_DATA_DIR), with the defaults, so that segments are read even where the environment sets
 * --segment-blob-max-bytes to 0. Destination: the stores the settings build (`--meta postgres
 * --postgres-url … --blob s3 --s3-…`), whose data dir is --to-data-dir where given (an embedded
 * destination, or the local parts of a mixed one).
 */
export function migrateEndpoints(opts: MigrateCommandOptions, env: NodeJS.ProcessEnv): MigrateEndpoints {
  const flags = settingFlags(opts);
  const sourceDir = loadConfig({ env, flags }).config.dataDir;
  const source = buildConfig({ dataDir: sourceDir });
  const toDataDir = opts.toDataDir === '' ? undefined : opts.toDataDir;
  const destination = loadConfig({ env, flags: toDataDir === undefined ? flags : { ...flags, dataDir: toDataDir } }).config;
  const sourceFile = source.metaStore.kind === 'sqlite' ? source.metaStore.path : '';
  if (!fs.existsSync(sourceFile)) throw new ConfigError(`--data-dir ${sourceDir} holds no ${path.basename(sourceFile)}: not a data dir`);
  if (sameStore(source, destination)) {
    throw new ConfigError(
      `the destination is the source data dir (${sourceDir}): name the destination with --meta postgres --postgres-url … --blob s3 --s3-bucket …, or --to-data-dir DIR`,
    );
  }
  return { sourceDir, source, destination };
}

function sameStore(a: StoreConfigs, b: StoreConfigs): boolean {
  const sameMeta = a.metaStore.kind === 'sqlite' && b.metaStore.kind === 'sqlite' && a.metaStore.path === b.metaStore.path;
  const sameBlobs = a.blobStore.kind === 'fs' && b.blobStore.kind === 'fs' && a.blobStore.root === b.blobStore.root;
  return sameMeta || sameBlobs;
}

/**
 * Opens the source exclusively first (a running server holds it: exit 2 before the destination is
 * touched; its recovery re-applies journaled rows), then the destination, copies, and prints the
 * summary. Damaged or missing blobs: their files are not copied, and the command fails naming
 * them; so do glossary rows the destination holds differently under the same ids.
 */
export async function migrateCommand(endpoints: MigrateEndpoints, json: boolean, out: (line: string) => void, err: (line: string) => void): Promise<void> {
  const report = await withStores(endpoints.source, endpoints.sourceDir, async (source) =>
    withStores(endpoints.destination, undefined, (destination) => migrate(source, destination, { onProgress: json ? undefined : progressPrinter(err) })),
  );
  if (json) out(JSON.stringify(report));
  else {
    out(`migrated: ${describe(report)}`);
    for (const p of report.notCopied) out(`  not copied: ${p.fileToken}  ${p.problem}  blob ${p.blobKey}`);
  }
  const problems: string[] = [];
  if (report.blobs.corrupt > 0) {
    const named = report.notCopied.slice(0, 5).map((p) => `${p.fileToken} (${p.problem}, blob ${p.blobKey})`);
    const more = report.blobs.corrupt > named.length ? ` and ${report.blobs.corrupt - named.length} more` : '';
    problems.push(`${report.blobs.corrupt} file(s) not copied, their blob missing or damaged: ${named.join(', ')}${more}`);
  }
  const conflicts = Object.values(report.glossary).reduce((n, c) => n + c.conflicts, 0);
  if (conflicts > 0) {
    const named = report.glossaryConflicts.slice(0, 5).map((c) => `${c.table} ${JSON.stringify(c.key)}`);
    const more = conflicts > named.length ? ` and ${conflicts - named.length} more` : '';
    problems.push(
      `${conflicts} glossary row(s) not copied, the destination holds other rows under their ids: ${named.join(', ')}${more}; ` +
        'the glossary copy stopped there (migrate into a destination no server has written a glossary to)',
    );
  }
  if (problems.length > 0) throw new MigrateIncomplete(problems.join('; '));
}

/** `sourceDir`: the stores are the source, opened exclusively; a server holding them is named as such. */
async function withStores<T>(configs: StoreConfigs, sourceDir: string | undefined, run: (stores: StorePair) => Promise<T>): Promise<T> {
  const meta = createMetaStore(configs.metaStore);
  const stores = { meta, blobs: createBlobStore(configs.blobStore, meta) };
  try {
    // The rows' schema first: an S3 store's ledger lives in it.
    await stores.meta.ping();
    await stores.blobs.open({ exclusive: true }).catch((e: unknown) => {
      if (e instanceof DataDirBusyError && sourceDir !== undefined)
        throw new DataDirBusyError(`${sourceDir} is in use by a running lingo-server: stop it, then migrate`);
      throw e;
    });
    return await run(stores);
  } finally {
    // The blob store first: closing, it waits for rows it is still committing to the meta store.
    await stores.blobs.close();
    await stores.meta.close();
  }
}

const progressIntervalMs = 1000;

/** A progress line at most once a second. */
export function progressPrinter(err: (line: string) => void, now: () => number = Date.now): (report: Readonly<MigrateReport>) => void {
  let last = now();
  return (report) => {
    if (now() - last < progressIntervalMs) return;
    last = now();
    err(`migrate: ${describe(report)}`);
  };
}

function describe(r: Readonly<MigrateReport>): string {
  const rows = (name: string, c: { copied: number; skipped: number }) => `${name} ${c.copied} copied, ${c.skipped} skipped`;
  // The glossary in one total here; --json gives it table by table.
  const glossary = Object.values(r.glossary).reduce((t, c) => ({
    copied: t.copied + c.copied,
    skipped: t.skipped + c.skipped,
    conflicts: t.conflicts + c.conflicts,
  }));
  return [
    rows('apps', r.apps),
    rows('tokens', r.tokens),
    rows('files', r.files),
    `${rows('blobs', r.blobs)}, ${r.blobs.corrupt} corrupt`,
    `${rows('glossary rows', glossary)}, ${glossary.conflicts} conflicting`,
  ].join('; ');
}

/** Some file rows were left behind because of their blobs, or glossary rows because of conflicts: reported, exit status 1. */
export class MigrateIncomplete extends Error {
  override readonly name = 'MigrateIncomplete';
}
