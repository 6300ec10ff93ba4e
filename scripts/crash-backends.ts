/**
 * The stores `scripts/crash-test.ts` crashes servers on: the embedded default (one server, SQLite
 * + files in one data dir) or `pg-s3` (two servers sharing a fresh PostgreSQL schema, a fresh S3
 * bucket and Redis, each with its own data dir for its upload spool).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';

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

/** The service URLs the pg-s3 mode needs, or the names of the missing variables. */
export function pgS3Services(env: NodeJS.ProcessEnv): { postgres: string; redis: string; s3: string } | string[] {
  const postgres = env.LINGO_TEST_POSTGRES_URL;
  const redis = env.LINGO_TEST_REDIS_URL;
  const s3 = env.LINGO_TEST_S3_ENDPOINT;
  if (postgres && redis && s3) return { postgres, redis, s3 };
  return [!postgres && 'LINGO_TEST_POSTGRES_URL', !redis && 'LINGO_TEST_REDIS_URL', !s3 && 'LINGO_TEST_S3_ENDPOINT'].filter((v): v is string => !!v);
}

/** Creates a fresh schema and bucket; `remove()` drops them and the data dirs. */
export async function pgS3Backend(urls: { postgres: string; redis: string; s3: string }, instances: number): Promise<CrashBackend> {
  const suffix = randomBytes(6).toString('hex');
  const schema = `lingo_crash_${suffix}`;
  const bucket = `lingo-crash-${suffix}`;
  await withPg(urls.postgres, (c) => c.query(`CREATE SCHEMA ${schema}`));
  const s3 = new S3Client({ endpoint: urls.s3, region: 'us-east-1', forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
  const schemaUrl = new URL(urls.postgres);
  schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
  const shared = [
    '--meta',
    'postgres',
    '--postgres-url',
    schemaUrl.toString(),
    '--blob',
    's3',
    '--s3-endpoint',
    urls.s3,
    '--s3-bucket',
    bucket,
    '--s3-region',
    'us-east-1',
    '--s3-force-path-style',
  ];
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
      await withPg(urls.postgres, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      await emptyAndDeleteBucket(urls.s3, bucket);
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
    where: () => `schema ${schema}, bucket ${bucket}, data dirs ${dirs.join(' ')}`,
  };
}

async function withPg(url: string, run: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

async function emptyAndDeleteBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  try {
    // Bounded: each page deletes what it lists, so the listing shrinks to nothing.
    for (let page = 0; page < 10_000; page++) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
      const keys = (listed.Contents ?? []).map((o) => o.Key).filter((k): k is string => !!k);
      if (keys.length === 0) break;
      await Promise.all(keys.map((Key) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }))));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}
