/**
 * A throwaway PostgreSQL schema and S3 bucket for one run of a script that drives real servers on
 * PostgreSQL + S3 (`npm run crash-test -- --backend pg-s3`, `npm run bench -- --backend pg-s3`):
 * created fresh, so that nothing another run or test wrote is visible, and removed afterwards.
 * The services are the test ones (`source` the env file `scripts/services.sh start` writes).
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { ConfigInput } from '../src/config/config.js';
import { settings } from '../src/config/settings.js';

export interface ServiceUrls {
  postgres: string;
  redis: string;
  s3: string;
}

/** The service URLs the pg-s3 modes need, or the names of the missing variables. */
export function pgS3Services(env: NodeJS.ProcessEnv): ServiceUrls | string[] {
  const postgres = env.LINGO_TEST_POSTGRES_URL;
  const redis = env.LINGO_TEST_REDIS_URL;
  const s3 = env.LINGO_TEST_S3_ENDPOINT;
  if (postgres && redis && s3) return { postgres, redis, s3 };
  return [!postgres && 'LINGO_TEST_POSTGRES_URL', !redis && 'LINGO_TEST_REDIS_URL', !s3 && 'LINGO_TEST_S3_ENDPOINT'].filter((v): v is string => !!v);
}

export interface ScratchStores {
  schema: string;
  bucket: string;
  /** The store settings (no data dir), for buildApp() in process; `storeFlags` is the same as flags. */
  settings: ConfigInput;
  storeFlags: string[];
  /** Drops the schema and empties and deletes the bucket. */
  remove(): Promise<void>;
}

/** `label` names the schema (`lingo_<label>_<hex>`) and the bucket (`lingo-<label>-<hex>`). */
export async function createScratchStores(urls: Pick<ServiceUrls, 'postgres' | 's3'>, label: string): Promise<ScratchStores> {
  const suffix = randomBytes(6).toString('hex');
  const schema = `lingo_${label}_${suffix}`;
  const bucket = `lingo-${label}-${suffix}`;
  await withPg(urls.postgres, (c) => c.query(`CREATE SCHEMA ${schema}`));
  const s3 = new S3Client({ endpoint: urls.s3, region: 'us-east-1', forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    await withPg(urls.postgres, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    throw err;
  } finally {
    s3.destroy();
  }
  const schemaUrl = new URL(urls.postgres);
  schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
  const stores: ConfigInput = {
    meta: 'postgres',
    postgresUrl: schemaUrl.toString(),
    blob: 's3',
    s3Endpoint: urls.s3,
    s3Bucket: bucket,
    s3Region: 'us-east-1',
    s3ForcePathStyle: '1',
  };
  return {
    schema,
    bucket,
    settings: stores,
    storeFlags: settingsAsFlags(stores),
    remove: async () => {
      await withPg(urls.postgres, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      await emptyAndDeleteBucket(urls.s3, bucket);
    },
  };
}

/** `input` as command-line flags, through the settings table (a switch is its flag alone). */
export function settingsAsFlags(input: ConfigInput): string[] {
  return Object.entries(input).flatMap(([key, value]) => {
    const setting = settings.find((s) => s.key === key);
    if (!setting) throw new Error(`no setting ${key}`);
    if (value === undefined || value === '') return [];
    if (setting.argName === '') return setting.parse(value) === true ? [setting.flag] : [];
    return [setting.flag, String(value)];
  });
}

/** One value of `SHOW name` (fsync, synchronous_commit): what a figure on this server is worth. */
export async function postgresSetting(url: string, name: string): Promise<string> {
  let value = '';
  await withPg(url, async (c) => {
    const { rows } = await c.query<Record<string, string>>(`SHOW ${name}`);
    value = Object.values(rows[0] ?? {})[0] ?? '';
  });
  return value;
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
    // Bounded: each page deletes what it lists, so the listing shrinks to nothing. ListObjects (v1):
    // s3rver answers a truncated V2 listing (over 1000 objects) with InternalError, as its
    // continuation token needs a cipher OpenSSL 3 no longer offers.
    for (let page = 0; page < 10_000; page++) {
      const listed = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 1000 }));
      const keys = (listed.Contents ?? []).map((o) => o.Key).filter((k): k is string => !!k);
      if (keys.length === 0) break;
      for (let i = 0; i < keys.length; i += 16) {
        await Promise.all(keys.slice(i, i + 16).map((Key) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }))));
      }
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}
