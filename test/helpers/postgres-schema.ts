import pg from 'pg';
import { PostgresMetaStore } from '../../src/meta/postgres-meta-store.js';
import { createPgPool } from '../../src/meta/postgres-pool.js';
import { postgresUrlWithSchema, serviceUrl, uniqueName } from './services.js';

export interface TestSchema {
  name: string;
  /** The test database's URL with this schema as its search_path. */
  url: string;
  /** Runs one statement in this schema (for checks the MetaStore interface does not offer). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** A fresh, empty schema in LINGO_TEST_POSTGRES_URL's database: nothing another test wrote is visible. */
export async function createTestSchema(prefix = 'lingo_test_'): Promise<TestSchema> {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: serviceUrl('postgres'), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = postgresUrlWithSchema(name);
  return {
    name,
    url,
    async query(text, values = []) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: serviceUrl('postgres'), connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A store with its own small pool, as an instance of the server would open it. */
export function openPostgresMetaStore(url: string, onIdleError: (err: Error) => void = () => {}): PostgresMetaStore {
  return new PostgresMetaStore(createPgPool(url, onIdleError, { max: 4, connectionTimeoutMillis: 2000, statementTimeoutMs: 5000 }), url);
}
