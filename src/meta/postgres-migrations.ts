import type pg from 'pg';

/**
 * Schema versions, applied in order; `schema_migrations` records each one that ran. Never edit one
 * that shipped. The tables mirror sqlite-migrations.ts, plus `blobs`: the S3 store's ledger of
 * which content-addressed objects exist or are being written or deleted (times from the
 * database's clock, never an instance's). `files.blob_key` has no foreign key to it, since rows in
 * PostgreSQL may also sit beside blobs on a filesystem, where there is no ledger.
 */
export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE apps (
    app_id        text PRIMARY KEY,
    name          text NOT NULL,
    secret_hash   text NOT NULL,
    tenant_key    text NOT NULL,
    type          text NOT NULL CHECK (type IN ('self_built', 'store')),
    scopes        text[] NOT NULL,
    created_at_ms bigint NOT NULL
  );
  CREATE TABLE tokens (
    token_hash    text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('tenant', 'user')),
    app_id        text NOT NULL REFERENCES apps (app_id),
    tenant_key    text NOT NULL,
    user_id       text,
    scopes        text[],
    nonce         text NOT NULL,
    issued_at_ms  bigint NOT NULL,
    expires_at_ms bigint NOT NULL
  );
  CREATE INDEX tokens_latest_tenant ON tokens (app_id, tenant_key, kind, expires_at_ms);
  CREATE TABLE files (
    file_token    text PRIMARY KEY,
    tenant_key    text NOT NULL,
    app_id        text NOT NULL,
    name          text NOT NULL,
    blob_key      text NOT NULL,
    size_bytes    bigint NOT NULL,
    sha256        text NOT NULL,
    format        text NOT NULL,
    mime          text NOT NULL,
    width         integer NOT NULL,
    height        integer NOT NULL,
    created_at_ms bigint NOT NULL
  );
  CREATE INDEX files_blob_key ON files (blob_key);
  CREATE TABLE blobs (
    key           char(64) PRIMARY KEY,
    size_bytes    bigint NOT NULL,
    state         text NOT NULL CHECK (state IN ('pending', 'stored', 'deleting')),
    touched_at    timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX blobs_touched_at ON blobs (touched_at);
  `,
];

/**
 * A migration may take longer than the pool's statement bound, and so may the wait for another
 * instance that is migrating: the migrating connection gets this instead (and is closed after).
 */
const migrationTimeoutMs = 60_000;

/**
 * Brings the schema (the first of the connection's search_path) up to `migrations`, under a
 * session advisory lock on that schema's name: instances starting together take turns, and each
 * after the first finds nothing left to do. A crash mid-way releases the lock with the
 * connection, and the transaction of the unfinished version rolls back. A schema newer than this
 * code is left as it is (migrations only add, so an older instance keeps working during a
 * rolling upgrade). Returns how many versions this call applied.
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly string[] = postgresMigrations): Promise<number> {
  const client = await pool.connect();
  const ignore = (): void => {};
  client.on('error', ignore);
  const run = (text: string, values: unknown[] = []) => client.query({ text, values, query_timeout: migrationTimeoutMs + 1000 } as pg.QueryConfig);
  try {
    await run(`SET statement_timeout = ${migrationTimeoutMs}`);
    await run(`SELECT pg_advisory_lock(hashtextextended('lingo-server:migrations:' || current_schema(), 0))`);
    await run('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await run('SELECT coalesce(max(version), 0) AS version FROM schema_migrations');
    const current = Number((rows[0] as { version: number }).version);
    for (let v = current; v < migrations.length; v++) {
      await run('BEGIN');
      try {
        await run(migrations[v]!);
        await run('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
        await run('COMMIT');
      } catch (err) {
        await run('ROLLBACK').catch(ignore);
        throw err;
      }
    }
    return Math.max(0, migrations.length - current);
  } finally {
    client.off('error', ignore);
    // Closing the connection also releases the lock and forgets the session's timeout.
    client.release(true);
  }
}
