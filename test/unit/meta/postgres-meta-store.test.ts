import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/auth/apps.js';
import { TokenService } from '../../../src/auth/tokens.js';
import { ConfigError } from '../../../src/config/config.js';
import { cannotConnect, isUnavailable, MetaStoreUnavailableError, translated } from '../../../src/meta/postgres-errors.js';
import type { PostgresMetaStore } from '../../../src/meta/postgres-meta-store.js';
import { migratePostgres, postgresMigrations } from '../../../src/meta/postgres-migrations.js';
import pg from 'pg';
import { createTestSchema, openPostgresMetaStore, type TestSchema } from '../../helpers/postgres-schema.js';
import { describeWithServices, serviceUrl } from '../../helpers/services.js';
import { freePort } from '../../helpers/free-port.js';

describeWithServices(['postgres'], 'PostgresMetaStore on a shared database', () => {
  let schema: TestSchema;
  let stores: PostgresMetaStore[];
  const open = (): PostgresMetaStore => {
    const store = openPostgresMetaStore(schema.url);
    stores.push(store);
    return store;
  };
  beforeEach(async () => {
    schema = await createTestSchema('lingo_pgmeta_');
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  });

  it('four instances starting together on an empty schema: each migrates or waits its turn, every version is applied once', async () => {
    const four = [open(), open(), open(), open()];
    await Promise.all(four.map((s) => s.ping()));
    expect(await schema.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(postgresMigrations.map((_, i) => ({ version: i + 1 })));
    const tables = await schema.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [
      schema.name,
    ]);
    expect(tables.map((t) => t.table_name)).toEqual([
      'apps',
      'blobs',
      'classifications',
      'console_credentials',
      'drafts',
      'entities',
      'entity_classifications',
      'entity_images',
      'entity_terms',
      'files',
      'glossary_changes',
      'glossary_versions',
      'repo_grants',
      'repos',
      'schema_migrations',
      'server_keys',
      'tokens',
    ]);
    // A later start finds nothing to do; a new version is applied alone.
    expect(await migratePostgres(four[0]!.pool)).toBe(0);
    expect(await migratePostgres(four[0]!.pool, [...postgresMigrations, 'CREATE TABLE later (x integer)'])).toBe(1);
    expect(await schema.query('SELECT max(version) AS v FROM schema_migrations')).toEqual([{ v: postgresMigrations.length + 1 }]);
  });

  it('the blob ledger is exactly the table the S3 store expects, and files do not depend on it', async () => {
    await open().ping();
    const columns = await schema.query(
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'blobs' ORDER BY ordinal_position`,
      [schema.name],
    );
    expect(columns).toEqual([
      { column_name: 'key', data_type: 'character', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'size_bytes', data_type: 'bigint', len: null, is_nullable: 'NO', column_default: null },
      { column_name: 'state', data_type: 'text', len: null, is_nullable: 'NO', column_default: null },
      { column_name: 'touched_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
    ]);
    await schema.query(`INSERT INTO blobs (key, size_bytes, state) VALUES ($1, 1, 'pending')`, ['a'.repeat(64)]);
    await expect(schema.query(`INSERT INTO blobs (key, size_bytes, state) VALUES ($1, 1, 'gone')`, ['b'.repeat(64)])).rejects.toThrow(/check/);
    expect(await schema.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'blobs' ORDER BY indexname`, [schema.name])).toEqual([
      { indexname: 'blobs_pkey' },
      { indexname: 'blobs_touched_at' },
    ]);
    const fileKeys = await schema.query(`SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, [`${schema.name}.files`]);
    expect(fileKeys).toEqual([]);
  });

  it('tenant tokens across instances: 20 concurrent requests through two TokenServices on two stores get one token, valid on both', async () => {
    const [a, b] = [open(), open()];
    const creds = await createApp(a, { name: 'two', scopes: ['baike:entity'] });
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).ping()));
    const services = [new TokenService(a), new TokenService(b)];
    const issued = await Promise.all(Array.from({ length: 20 }, (_, i) => services[i % 2]!.issueTenantToken(creds.app_id, creds.app_secret)));
    expect(new Set(issued.map((t) => t.token)).size).toBe(1);
    expect(await schema.query(`SELECT count(*)::int AS n FROM tokens WHERE kind = 'tenant'`)).toEqual([{ n: 1 }]);
    for (const service of services) expect((await service.verify(issued[0]!.token)).app.appId).toBe(creds.app_id);
  });
});

describe('PostgresMetaStore start and error translation', () => {
  it('no server at the URL: the first call fails within seconds with a ConfigError naming --postgres-url, password hidden; the next call tries again', async () => {
    const url = `postgres://lingo:pw-s3cret@127.0.0.1:${await freePort()}/lingo`;
    const store = openPostgresMetaStore(url);
    try {
      const started = Date.now();
      const err = await store.listApps().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(
        /^--postgres-url: cannot connect to PostgreSQL at postgres:\/\/lingo:\*\*\*@127\.0\.0\.1:\d+\/lingo \(.*ECONNREFUSED.*\)$/,
      );
      expect((err as Error).message).not.toContain('pw-s3cret');
      await expect(store.ping()).rejects.toBeInstanceOf(ConfigError);
    } finally {
      await store.close();
    }
  });

  it('outages become MetaStoreUnavailableError; statement errors stay as they are', () => {
    const dbError = (code: string): pg.DatabaseError => Object.assign(new pg.DatabaseError('x', 1, 'error'), { code });
    for (const err of [
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      dbError('57P01'),
      dbError('57014'),
      dbError('08006'),
      dbError('53300'),
    ]) {
      expect(isUnavailable(err), err.message).toBe(true);
      expect(translated(err)).toBeInstanceOf(MetaStoreUnavailableError);
      expect((translated(err) as Error).cause).toBe(err);
    }
    for (const err of [dbError('23505'), dbError('42P01'), dbError('28P01'), new TypeError('bad value')]) {
      expect(isUnavailable(err)).toBe(false);
      expect(translated(err)).toBe(err);
    }
    // At start, a refused login or a missing database is the URL's fault too.
    expect([dbError('28P01'), dbError('3D000'), dbError('42P01')].map(cannotConnect)).toEqual([true, true, false]);
  });
});

describeWithServices(['postgres'], 'PostgresMetaStore start against the shared server', () => {
  it('a database that does not exist: a ConfigError naming --postgres-url', async () => {
    const url = new URL(serviceUrl('postgres'));
    url.pathname = '/lingo_no_such_db';
    const store = openPostgresMetaStore(url.toString());
    try {
      await expect(store.ping()).rejects.toThrow(
        /^--postgres-url: cannot connect to PostgreSQL at .*lingo_no_such_db \(database "lingo_no_such_db" does not exist\)$/,
      );
    } finally {
      await store.close();
    }
  });
});
