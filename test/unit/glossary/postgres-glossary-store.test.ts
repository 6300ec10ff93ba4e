import { afterEach, beforeEach, expect, it } from 'vitest';
import { MetaStoreUnavailableError } from '../../../src/meta/postgres-errors.js';
import pg from 'pg';
import { PostgresMetaStore } from '../../../src/meta/postgres-meta-store.js';
import { createPgPool } from '../../../src/meta/postgres-pool.js';
import { PostgresGlossaryStore } from '../../../src/glossary/postgres-glossary-store.js';
import { content, entityRow } from '../../helpers/glossary.js';
import { createTestSchema, openPostgresMetaStore, type TestSchema } from '../../helpers/postgres-schema.js';
import { describeWithServices } from '../../helpers/services.js';

describeWithServices(['postgres'], 'PostgresGlossaryStore on a shared database', () => {
  let schema: TestSchema;
  let meta: PostgresMetaStore;
  beforeEach(async () => {
    schema = await createTestSchema('lingo_pgglossary_');
    meta = openPostgresMetaStore(schema.url);
  });
  afterEach(async () => {
    await meta.close();
    await schema.drop();
  });

  it('migrates the schema before its first statement, with no metadata call made first', async () => {
    const glossary = new PostgresGlossaryStore(meta);
    expect((await glossary.companyRepo('tenant_a')).name).toBe('全员词库');
  });

  it('a refused write is rolled back on its connection, which goes back to the pool', async () => {
    const glossary = new PostgresGlossaryStore(meta);
    const repo = await glossary.companyRepo('tenant_a');
    const outer = { provider: 'crm', outerId: 'x' };
    await glossary.insertEntity(entityRow('tenant_a', repo.id, content('a', { outerInfo: outer })));
    let removed = 0;
    meta.pool.on('remove', () => removed++);
    for (let i = 0; i < 5; i++)
      expect(await glossary.insertEntity(entityRow('tenant_a', repo.id, content(`b${i}`, { outerInfo: outer })))).toBe('outer-info-taken');
    expect(await glossary.replaceEntity('tenant_a', '987654321', content('c'), 'u', 0)).toBe('missing');
    expect(removed).toBe(0);
    expect(await glossary.glossaryVersion('tenant_a')).toBe(1);
    // Nothing is left open: the connections are idle, not idle in transaction.
    const states = await schema.query<{ state: string }>(
      `SELECT state FROM pg_stat_activity WHERE application_name = 'lingo-server' AND datname = current_database()`,
    );
    expect(states.filter((s) => s.state === 'idle in transaction')).toEqual([]);
  });

  it('a writer waits for the tenant’s version row; past the statement bound it fails as MetaStoreUnavailableError, and the next write works', async () => {
    const impatient = new PostgresMetaStore(
      createPgPool(schema.url, () => {}, { max: 2, connectionTimeoutMillis: 2000, statementTimeoutMs: 300 }),
      schema.url,
    );
    const holder = new pg.Client({ connectionString: schema.url });
    try {
      const glossary = new PostgresGlossaryStore(impatient);
      const repo = await glossary.companyRepo('tenant_a');
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(`INSERT INTO glossary_versions (tenant_key, version) VALUES ('tenant_a', 7)`);
      await expect(glossary.insertEntity(entityRow('tenant_a', repo.id, content('blocked')))).rejects.toBeInstanceOf(MetaStoreUnavailableError);
      await holder.query('ROLLBACK');
      expect(await glossary.insertEntity(entityRow('tenant_a', repo.id, content('later')))).toMatchObject({ tenantKey: 'tenant_a' });
      expect(await glossary.glossaryVersion('tenant_a')).toBe(1);
    } finally {
      await holder.end();
      await impatient.close();
    }
  });
});
