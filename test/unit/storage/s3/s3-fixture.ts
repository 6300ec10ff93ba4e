import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { migratePostgres } from '../../../../src/meta/postgres-migrations.js';
import { createS3Client, type S3Location } from '../../../../src/storage/s3/s3-client.js';
import { postgresUrlWithSchema, serviceUrl, uniqueName } from '../../../helpers/services.js';

/**
 * A fresh PostgreSQL schema with the ledger, and fresh buckets on the S3 test server, all removed
 * by close(). For suites that need both (describeWithServices(['postgres', 's3'], …)).
 *
 * s3rver keeps `a/b` as a directory `a` and removes the directory when a DELETE empties it; a PUT
 * into that directory at the same moment fails with an unhandled ENOENT that ends the server.
 * Tests whose PUTs race DELETEs therefore keep their keys at the bucket's top level (prefix ''),
 * in a bucket of their own.
 */
export interface S3Fixture {
  /** A pool whose connections see only this fixture's schema. */
  readonly pool: pg.Pool;
  /** Another such pool, as a second instance has (ended by close()). */
  newPool(): pg.Pool;
  /** A client for the test's own checks (listing a bucket). */
  readonly s3: S3Client;
  /** A new empty bucket. */
  newBucket(): Promise<string>;
  location(bucket: string, prefix?: string): S3Location;
  /** Empties the ledger and the file rows: a test starts with no blob known. */
  reset(): Promise<void>;
  /** Every object key in the bucket (under `prefix`). */
  objectKeys(bucket: string, prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function openS3Fixture(): Promise<S3Fixture> {
  // s3rver's fixed credentials, unless the environment names others (scripts/services.sh sets them).
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  const schema = uniqueName('s3_');
  const admin = new pg.Pool({ connectionString: serviceUrl('postgres'), max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pools: pg.Pool[] = [];
  const newPool = (): pg.Pool => {
    const pool = new pg.Pool({ connectionString: postgresUrlWithSchema(schema), max: 20, connectionTimeoutMillis: 5_000 });
    pool.on('error', () => {});
    pools.push(pool);
    return pool;
  };
  const pool = newPool();
  // The metadata store's migrations: its tables, the ledger among them.
  await migratePostgres(pool);
  const location = (bucket: string, prefix = ''): S3Location => ({ endpoint: serviceUrl('s3'), bucket, region: 'us-east-1', forcePathStyle: true, prefix });
  const s3 = createS3Client(location(''));
  const buckets: string[] = [];
  const newBucket = async (): Promise<string> => {
    const bucket = uniqueName('lingo-s3-');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    buckets.push(bucket);
    return bucket;
  };

  const objectKeys = async (bucket: string, prefix = ''): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    // Bounded: a test bucket holds a few thousand objects at most.
    for (let page = 0; page < 100; page++) {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ContinuationToken: token }));
      for (const o of out.Contents ?? []) keys.push(o.Key!);
      token = out.NextContinuationToken;
      if (!token) break;
    }
    return keys.sort();
  };

  return {
    pool,
    newPool,
    s3,
    newBucket,
    location,
    reset: async () => void (await pool.query('TRUNCATE blobs, files')),
    objectKeys,
    close: async () => {
      try {
        for (const bucket of buckets) {
          for (const key of await objectKeys(bucket)) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
          await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
        }
      } finally {
        s3.destroy();
        await Promise.all(pools.map((p) => p.end()));
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      }
    },
  };
}
