import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigInput } from '../../src/config/config.js';
import { createScratchStores, pgS3Services, postgresSetting } from '../../scripts/scratch-stores.js';

/**
 * Where a lingo-server under test keeps its state: `embedded` (the default, SQLite and files in
 * one data dir) or `pg-s3` (PostgreSQL + S3 + Redis, the services of `scripts/services.sh`, shared
 * by `instances` servers). Every scenario runs the embedded server; `--backend pg-s3` adds one
 * lingo-server side per entry of `--instances` (default 1; `1,2` adds both).
 */
export interface LingoVariant {
  backend: 'embedded' | 'pg-s3';
  instances: number;
  /** The server's name in the figures: `lingo-server`, `lingo pg-s3`, `lingo pg-s3 ×2`. */
  name: string;
}

export const embedded: LingoVariant = { backend: 'embedded', instances: 1, name: 'lingo-server' };

/** The extra variants `--backend` and `--instances` ask for (none without `--backend pg-s3`). */
export function variantsOf(backend: string | undefined, instances: string | undefined): LingoVariant[] {
  if (backend === undefined || backend === 'embedded') {
    if (instances !== undefined) throw new Error('--instances needs --backend pg-s3 (the embedded server is one process per data dir)');
    return [];
  }
  if (backend !== 'pg-s3') throw new Error(`--backend ${backend}: expected embedded or pg-s3`);
  const counts = (instances ?? '1').split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) throw new Error(`--instances ${instances}: expected counts from 1 to 8, e.g. 2 or 1,2`);
  return [...new Set(counts)].map((n) => ({ backend: 'pg-s3', instances: n, name: n === 1 ? 'lingo pg-s3' : `lingo pg-s3 ×${n}` }));
}

/** Fails at once, naming the variables, when pg-s3 is asked for and the services are not set. */
export function checkServices(variants: readonly LingoVariant[]): void {
  if (!variants.some((v) => v.backend === 'pg-s3')) return;
  const urls = pgS3Services(process.env);
  if (Array.isArray(urls))
    throw new Error(`--backend pg-s3 needs ${urls.join(', ')}: start the services (scripts/services.sh start) and source their env file`);
}

/** A variant's stores for one lingo-server (or cluster), fresh, removed by remove(). */
export interface LingoStores {
  /** The settings that open instance `i`'s stores, data dir included: for buildApp() in the bench. */
  settings(i: number): ConfigInput;
  /** `serve`'s flags for instance `i`: the stores, the rate limits. */
  serveFlags(i: number): string[];
  /** What a reader needs to weigh the figures (PostgreSQL's durability settings). */
  notes: string[];
  remove(): Promise<void>;
}

const noLimits = ['--rate-limit-per-second', '0', '--rate-limit-per-minute', '0', '--rate-limit-writes-per-minute', '0'];
// Far above the load: every request runs the limiter's script in the shared Redis, none is refused.
const highLimits = ['--rate-limit-per-second', '1000000000', '--rate-limit-per-minute', '1000000000', '--rate-limit-writes-per-minute', '1000000000'];

const newDataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-bench-'));

export async function openStores(variant: LingoVariant): Promise<LingoStores> {
  if (variant.backend === 'embedded') {
    const dir = newDataDir();
    return {
      settings: () => ({ dataDir: dir }),
      serveFlags: () => ['--data-dir', dir, ...noLimits],
      notes: [],
      remove: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const urls = pgS3Services(process.env);
  if (Array.isArray(urls)) throw new Error(`--backend pg-s3 needs ${urls.join(', ')}`);
  const stores = await createScratchStores(urls, 'bench');
  // Each instance has a data dir of its own: its upload spool (bodies above 256 KiB).
  const dirs = Array.from({ length: variant.instances }, newDataDir);
  const durability = await Promise.all(['fsync', 'synchronous_commit'].map(async (name) => `${name}=${await postgresSetting(urls.postgres, name)}`));
  return {
    settings: (i) => ({ ...stores.settings, dataDir: dirs[i]! }),
    serveFlags: (i) => ['--data-dir', dirs[i]!, ...stores.storeFlags, '--redis-url', urls.redis, ...highLimits],
    notes: [
      `${variant.name}: a fresh schema and bucket (${stores.schema}, ${stores.bucket}) on the services of LINGO_TEST_* (PostgreSQL ${durability.join(', ')}; ` +
        's3rver, a Node S3 server, on the same cores), Redis limits on every request.',
    ],
    remove: async () => {
      await stores.remove();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}
