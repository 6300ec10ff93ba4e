import type Database from 'better-sqlite3';
import type { AppRow, FileRow, MetaStore, TokenRow } from './meta-store.js';
import { SqliteBatchWriter } from '../sqlite/batch-writer.js';
import { openSqlite } from '../sqlite/open.js';
import { sqliteMigrations } from './sqlite-migrations.js';

/** Token rows read per query by listTokens: a page, not the table, is held at a time. */
const tokenPageRows = 500;

/** A lazy row (journaled elsewhere) waits up to this long to share a commit with others. */
const lazyRowLingerMs = 25;

const insertFileSql = `INSERT INTO files (file_token, tenant_key, app_id, name, blob_key, size_bytes, sha256, format, mime, width, height, created_at_ms)
  VALUES (@file_token, @tenant_key, @app_id, @name, @blob_key, @size_bytes, @sha256, @format, @mime, @width, @height, @created_at_ms)`;

interface AppRecord {
  app_id: string;
  name: string;
  secret_hash: string;
  tenant_key: string;
  type: string;
  scopes: string;
  created_at_ms: number;
}
interface TokenRecord {
  token_hash: string;
  kind: string;
  app_id: string;
  tenant_key: string;
  user_id: string | null;
  scopes: string | null;
  nonce: string;
  issued_at_ms: number;
  expires_at_ms: number;
}
interface FileRecord {
  file_token: string;
  tenant_key: string;
  app_id: string;
  name: string;
  blob_key: string;
  size_bytes: number;
  sha256: string;
  format: string;
  mime: string;
  width: number;
  height: number;
  created_at_ms: number;
}

/**
 * The embedded row store. WAL lets the CLI (`app create`) write while a server reads; each insert
 * is its own transaction with synchronous=FULL, so a row acknowledged to a client survives a crash.
 */
export class SqliteMetaStore implements MetaStore {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly fileWriter: SqliteBatchWriter;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.stmts = {
      insertApp: this.db.prepare(
        `INSERT INTO apps (app_id, name, secret_hash, tenant_key, type, scopes, created_at_ms)
         VALUES (@app_id, @name, @secret_hash, @tenant_key, @type, @scopes, @created_at_ms)`,
      ),
      findApp: this.db.prepare('SELECT * FROM apps WHERE app_id = ?'),
      listApps: this.db.prepare('SELECT * FROM apps ORDER BY created_at_ms, app_id'),
      insertToken: this.db.prepare(
        `INSERT INTO tokens (token_hash, kind, app_id, tenant_key, user_id, scopes, nonce, issued_at_ms, expires_at_ms)
         VALUES (@token_hash, @kind, @app_id, @tenant_key, @user_id, @scopes, @nonce, @issued_at_ms, @expires_at_ms)`,
      ),
      findToken: this.db.prepare('SELECT * FROM tokens WHERE token_hash = ?'),
      latestTenantToken: this.db.prepare(
        `SELECT * FROM tokens WHERE kind = 'tenant' AND app_id = ? AND tenant_key = ? AND expires_at_ms >= ?
         ORDER BY expires_at_ms DESC LIMIT 1`,
      ),
      tokensAfter: this.db.prepare('SELECT * FROM tokens WHERE token_hash > ? ORDER BY token_hash LIMIT ?'),
      findFile: this.db.prepare('SELECT * FROM files WHERE tenant_key = ? AND file_token = ?'),
      listFiles: this.db.prepare('SELECT * FROM files ORDER BY created_at_ms'),
      blobReferenced: this.db.prepare('SELECT 1 FROM files WHERE blob_key = ? LIMIT 1'),
      ping: this.db.prepare('SELECT 1'),
    };
    this.fileWriter = new SqliteBatchWriter(file, insertFileSql, undefined, true, lazyRowLingerMs);
  }

  /** The connection, for the glossary store that shares this database (src/glossary/sqlite-glossary-store.ts). */
  get database(): Database.Database {
    return this.db;
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < sqliteMigrations.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(sqliteMigrations[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  async insertApp(row: AppRow): Promise<'ok' | 'duplicate'> {
    try {
      this.stmts.insertApp.run({
        app_id: row.appId,
        name: row.name,
        secret_hash: row.secretHash,
        tenant_key: row.tenantKey,
        type: row.type,
        scopes: JSON.stringify(row.scopes),
        created_at_ms: row.createdAtMs,
      });
      return 'ok';
    } catch (err) {
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  async findApp(appId: string): Promise<AppRow | undefined> {
    const r = this.stmts.findApp.get(appId) as AppRecord | undefined;
    return r && toApp(r);
  }

  async listApps(): Promise<AppRow[]> {
    return (this.stmts.listApps.all() as AppRecord[]).map(toApp);
  }

  async insertToken(row: TokenRow): Promise<void> {
    this.stmts.insertToken.run(tokenRecord(row));
  }

  async findToken(tokenHash: string): Promise<TokenRow | undefined> {
    const r = this.stmts.findToken.get(tokenHash) as TokenRecord | undefined;
    return r && toToken(r);
  }

  /** An IMMEDIATE transaction holds the write lock from its start: a CLI on the same file takes its turn. */
  async issueTenantToken(appId: string, tenantKey: string, minExpiresAtMs: number, mint: () => TokenRow): Promise<TokenRow> {
    const issue = this.db.transaction((): TokenRow => {
      const latest = this.stmts.latestTenantToken.get(appId, tenantKey, minExpiresAtMs) as TokenRecord | undefined;
      if (latest) return toToken(latest);
      const row = mint();
      this.stmts.insertToken.run(tokenRecord(row));
      return row;
    });
    return issue.immediate();
  }

  /** Keyset pages by token_hash: no statement stays open between pages, so callers may write meanwhile. */
  async *listTokens(): AsyncIterable<TokenRow> {
    for (let after = ''; ;) {
      const page = this.stmts.tokensAfter.all(after, tokenPageRows) as TokenRecord[];
      for (const r of page) yield toToken(r);
      if (page.length < tokenPageRows) return;
      after = page.at(-1)!.token_hash;
    }
  }

  /** Durable when it resolves; inserted by the group-commit writer (see sqlite/batch-writer.ts). */
  async insertFile(row: FileRow, options: { lazy?: boolean } = {}): Promise<'ok' | 'duplicate'> {
    return this.fileWriter.insert(
      {
        file_token: row.fileToken,
        tenant_key: row.tenantKey,
        app_id: row.appId,
        name: row.name,
        blob_key: row.blobKey,
        size_bytes: row.sizeBytes,
        sha256: row.sha256,
        format: row.format,
        mime: row.mime,
        width: row.width,
        height: row.height,
        created_at_ms: row.createdAtMs,
      },
      options,
    );
  }

  async findFile(tenantKey: string, fileToken: string): Promise<FileRow | undefined> {
    const r = this.stmts.findFile.get(tenantKey, fileToken) as FileRecord | undefined;
    return r && toFile(r);
  }

  async *listFiles(): AsyncIterable<FileRow> {
    for (const r of this.stmts.listFiles.iterate() as IterableIterator<FileRecord>) yield toFile(r);
  }

  async isBlobReferenced(blobKey: string): Promise<boolean> {
    return this.stmts.blobReferenced.get(blobKey) !== undefined;
  }

  async ping(): Promise<void> {
    this.stmts.ping.get();
  }

  async close(): Promise<void> {
    await this.fileWriter.close();
    if (this.db.open) this.db.close();
  }
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function toApp(r: AppRecord): AppRow {
  return {
    appId: r.app_id,
    name: r.name,
    secretHash: r.secret_hash,
    tenantKey: r.tenant_key,
    type: r.type === 'store' ? 'store' : 'self_built',
    scopes: JSON.parse(r.scopes) as string[],
    createdAtMs: r.created_at_ms,
  };
}

function toToken(r: TokenRecord): TokenRow {
  return {
    tokenHash: r.token_hash,
    kind: r.kind === 'user' ? 'user' : 'tenant',
    appId: r.app_id,
    tenantKey: r.tenant_key,
    userId: r.user_id,
    scopes: r.scopes === null ? null : (JSON.parse(r.scopes) as string[]),
    nonce: r.nonce,
    issuedAtMs: r.issued_at_ms,
    expiresAtMs: r.expires_at_ms,
  };
}

function tokenRecord(row: TokenRow): TokenRecord {
  return {
    token_hash: row.tokenHash,
    kind: row.kind,
    app_id: row.appId,
    tenant_key: row.tenantKey,
    user_id: row.userId,
    scopes: row.scopes && JSON.stringify(row.scopes),
    nonce: row.nonce,
    issued_at_ms: row.issuedAtMs,
    expires_at_ms: row.expiresAtMs,
  };
}

function toFile(r: FileRecord): FileRow {
  return {
    fileToken: r.file_token,
    tenantKey: r.tenant_key,
    appId: r.app_id,
    name: r.name,
    blobKey: r.blob_key,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    format: r.format,
    mime: r.mime,
    width: r.width,
    height: r.height,
    createdAtMs: r.created_at_ms,
  };
}
