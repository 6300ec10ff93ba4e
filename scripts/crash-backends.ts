/**
 * The stores `scripts/crash-test.ts` crashes servers on: the embedded default (one server, SQLite
 * + files in one data dir) or `pg-s3` (two servers sharing a fresh PostgreSQL schema, a fresh S3
 * bucket and Redis, each with its own data dir for its upload spool).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchStores, type ServiceUrls } from './scratch-stores.js';

export { pgS3Services } from './scratch-stores.js';

export const backendNames = ['embedded', 'pg-s3'] as const;
export type BackendName = (typeof backendNames)[number];

export interface CrashBackend {
  name: BackendName;
  /** One data dir per server instance. */
  dataDirs: string[];
  /** The flags with which a CLI command (app create, fsck, gc) opens instance `i`'s stores. */
  storeFlags(i: number): string[];
  /** The flags with which instance `i` serves (store flags included). */
  serveFlags(i: number): string[];
  /** Temp files that interrupted uploads left in the data dirs. */
  tempFiles(): number;
  /** Removes everything this run created. */
  remove(): Promise<void>;
  /** Where the run's data is, for a failure message or --keep. */
  where(): string;
}

const noLimits = ['--rate-limit-per-second', '0', '--rate-limit-per-minute', '0', '--rate-limit-writes-per-minute', '0'];

function countFiles(dir: string, suffix: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).length;
}

function newDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-crash-'));
}

export function embeddedBackend(): CrashBackend {
  const dir = newDataDir();
  return {
    name: 'embedded',
    dataDirs: [dir],
    storeFlags: () => ['--data-dir', dir],
    serveFlags: () => ['--data-dir', dir, ...noLimits],
    tempFiles: () => countFiles(path.join(dir, 'blobs', 'tmp'), '.part'),
    remove: async () => fs.rmSync(dir, { recursive: true, force: true }),
    where: () => `data dir ${dir}`,
  };
}

/** Creates a fresh schema and bucket; `remove()` drops them and the data dirs. */
export async function pgS3Backend(urls: ServiceUrls, instances: number): Promise<CrashBackend> {
  const stores = await createScratchStores(urls, 'crash');
  const shared = stores.storeFlags;
  const dirs = Array.from({ length: instances }, newDataDir);
  // Limits far above the load: every request goes through the shared Redis counters, none is refused.
  const highLimits = ['--rate-limit-per-second', '1000000000', '--rate-limit-per-minute', '1000000000', '--rate-limit-writes-per-minute', '1000000000'];
  return {
    name: 'pg-s3',
    dataDirs: dirs,
    storeFlags: (i) => ['--data-dir', dirs[i]!, ...shared],
    serveFlags: (i) => ['--data-dir', dirs[i]!, ...shared, '--redis-url', urls.redis, ...highLimits],
    tempFiles: () => dirs.reduce((n, d) => n + countFiles(path.join(d, 'tmp'), '.spool'), 0),
    remove: async () => {
      await stores.remove();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
    where: () => `schema ${stores.schema}, bucket ${stores.bucket}, data dirs ${dirs.join(' ')}`,
  };
}
