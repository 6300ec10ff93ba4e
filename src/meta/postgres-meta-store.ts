import type pg from 'pg';
import type { AppRow, FileRow, MetaStore, TokenRow } from './meta-store.js';
import { cannotConnect, translated, unreachableAtStart } from './postgres-errors.js';
import { migratePostgres } from './postgres-migrations.js';
import { inTransaction } from './postgres-pool.js';
import { appFromRecord, fileFromRecord, tokenFromRecord, type AppRecord, type FileRecord, type TokenRecord } from './postgres-records.js';

/** Rows per round trip when listing every file. */
const listPageRows = 1000;

/**
 * Rows in PostgreSQL, shared by every instance. Each statement is its own transaction, durable
 * when it resolves (so `lazy` inserts are simply inserted). Expected outcomes come back as values
 * (`INSERT … ON CONFLICT DO NOTHING RETURNING`: no row means 'duplicate'); an outage throws
 * MetaStoreUnavailableError within the pool's bounds (see postgres-pool.ts), and the next call
 * after the server is back simply works.
 *
 * The schema is migrated before the first statement, not in the constructor (which cannot wait):
 * the first call of a process fails with a ConfigError naming --postgres-url when the server
 * cannot be reached, and a later call tries again.
 *
 * It owns `pool`, which close() ends; the S3 store's ledger queries run on the same pool, so
 * the composition root closes that store first.
 */
export class PostgresMetaStore implements MetaStore {
  private schema: Promise<void> | undefined;

  constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  async insertApp(row: AppRow): Promise<'ok' | 'duplicate'> {
    const { rowCount } = await this.query(
      `INSERT INTO apps (app_id, name, secret_hash, tenant_key, type, scopes, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (app_id) DO NOTHING RETURNING 1`,
      [row.appId, row.name, row.secretHash, row.tenantKey, row.type, row.scopes, row.createdAtMs],
    );
    return rowCount === 1 ? 'ok' : 'duplicate';
  }

  async findApp(appId: string): Promise<AppRow | undefined> {
    const { rows } = await this.query<AppRecord>('SELECT * FROM apps WHERE app_id = $1', [appId]);
    return rows[0] && appFromRecord(rows[0]);
  }

  async listApps(): Promise<AppRow[]> {
    const { rows } = await this.query<AppRecord>('SELECT * FROM apps ORDER BY created_at_ms, app_id');
    return rows.map(appFromRecord);
  }

  async insertToken(row: TokenRow): Promise<void> {
    await this.query(insertTokenSql, tokenValues(row));
  }

  async findToken(tokenHash: string): Promise<TokenRow | undefined> {
    const { rows } = await this.query<TokenRecord>('SELECT * FROM tokens WHERE token_hash = $1', [tokenHash]);
    return rows[0] && tokenFromRecord(rows[0]);
  }

  /**
   * One transaction per app and tenant at a time, cluster-wide (a transaction-scoped advisory
   * lock on their names): the second of two concurrent callers, on any instance, finds the row
   * the first one inserted.
   */
  async issueTenantToken(appId: string, tenantKey: string, minExpiresAtMs: number, mint: () => TokenRow): Promise<TokenRow> {
    await this.ready();
    try {
      return await inTransaction(this.pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('lingo-server:tenant-token:' || $1 || ':' || $2, 0))`, [appId, tenantKey]);
        const { rows } = await client.query<TokenRecord>(
          `SELECT * FROM tokens WHERE kind = 'tenant' AND app_id = $1 AND tenant_key = $2 AND expires_at_ms >= $3
           ORDER BY expires_at_ms DESC LIMIT 1`,
          [appId, tenantKey, minExpiresAtMs],
        );
        if (rows[0]) return tokenFromRecord(rows[0]);
        const row = mint();
        await client.query(insertTokenSql, tokenValues(row));
        return row;
      });
    } catch (err) {
      throw translated(err);
    }
  }

  async insertFile(row: FileRow, _options?: { lazy?: boolean }): Promise<'ok' | 'duplicate'> {
    const { rowCount } = await this.query(
      `INSERT INTO files (file_token, tenant_key, app_id, name, blob_key, size_bytes, sha256, format, mime, width, height, created_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (file_token) DO NOTHING RETURNING 1`,
      [row.fileToken, row.tenantKey, row.appId, row.name, row.blobKey, row.sizeBytes, row.sha256, row.format, row.mime, row.width, row.height, row.createdAtMs],
    );
    return rowCount === 1 ? 'ok' : 'duplicate';
  }

  async findFile(tenantKey: string, fileToken: string): Promise<FileRow | undefined> {
    const { rows } = await this.query<FileRecord>('SELECT * FROM files WHERE tenant_key = $1 AND file_token = $2', [tenantKey, fileToken]);
    return rows[0] && fileFromRecord(rows[0]);
  }

  /** Page by page in token_hash order, expired ones included: no connection is held between pages. */
  async *listTokens(): AsyncIterable<TokenRow> {
    let after = '';
    for (;;) {
      const { rows } = await this.query<TokenRecord>('SELECT * FROM tokens WHERE token_hash > $1 ORDER BY token_hash LIMIT $2', [after, listPageRows]);
      for (const r of rows) yield tokenFromRecord(r);
      if (rows.length < listPageRows) return;
      after = rows[rows.length - 1]!.token_hash;
    }
  }

  /** Page by page in file_token order: no connection is held between pages. */
  async *listFiles(): AsyncIterable<FileRow> {
    let after = '';
    for (;;) {
      const { rows } = await this.query<FileRecord>('SELECT * FROM files WHERE file_token > $1 ORDER BY file_token LIMIT $2', [after, listPageRows]);
      for (const r of rows) yield fileFromRecord(r);
      if (rows.length < listPageRows) return;
      after = rows[rows.length - 1]!.file_token;
    }
  }

  async isBlobReferenced(blobKey: string): Promise<boolean> {
    const { rowCount } = await this.query('SELECT 1 FROM files WHERE blob_key = $1 LIMIT 1', [blobKey]);
    return rowCount === 1;
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended && !this.pool.ending) await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    await this.ready();
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw translated(err);
    }
  }

  /** The schema, migrated once per store; a failed attempt is forgotten, so the next call tries again. */
  private ready(): Promise<void> {
    this.schema ??= migratePostgres(this.pool).then(
      () => {},
      (err: unknown) => {
        this.schema = undefined;
        throw cannotConnect(err) ? unreachableAtStart(this.url, err) : err;
      },
    );
    return this.schema;
  }
}

const insertTokenSql = `INSERT INTO tokens (token_hash, kind, app_id, tenant_key, user_id, scopes, nonce, issued_at_ms, expires_at_ms)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

function tokenValues(row: TokenRow): unknown[] {
  return [row.tokenHash, row.kind, row.appId, row.tenantKey, row.userId, row.scopes, row.nonce, row.issuedAtMs, row.expiresAtMs];
}
