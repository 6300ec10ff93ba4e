import type { ConsoleCredential, ConsoleFileRow } from '../glossary-store.js';
import { exec, one, all, type Program } from './program.js';

interface CredentialRow {
  hash: string;
  kind: string;
  tenant_key: string;
  expires_at_ms: number | string;
}

/** Expired rows are deleted on each insert: the table holds live credentials only (bounded by use). */
export function* insertConsoleCredential(row: ConsoleCredential, nowMs: number): Program<void> {
  yield* exec('DELETE FROM console_credentials WHERE expires_at_ms <= ?', nowMs);
  yield* exec(
    'INSERT INTO console_credentials (hash, kind, tenant_key, expires_at_ms) VALUES (?, ?, ?, ?)',
    row.hash,
    row.kind,
    row.tenantKey,
    row.expiresAtMs,
  );
}

export function* findConsoleCredential(hash: string): Program<ConsoleCredential | undefined> {
  const row = yield* one<CredentialRow>('SELECT * FROM console_credentials WHERE hash = ?', hash);
  return row && { hash: row.hash, kind: row.kind as ConsoleCredential['kind'], tenantKey: row.tenant_key, expiresAtMs: Number(row.expires_at_ms) };
}

export function* deleteConsoleCredential(hash: string): Program<void> {
  yield* exec('DELETE FROM console_credentials WHERE hash = ?', hash);
}

interface FileRecordRow {
  file_token: string;
  name: string;
  blob_key: string;
  size_bytes: number | string;
  format: string;
  mime: string;
  width: number | string;
  height: number | string;
  created_at_ms: number | string;
}

/** The tenant's files, newest first, before `beforeToken`'s (created_at_ms, file_token). */
export function* listTenantFiles(tenantKey: string, before: { createdAtMs: number; fileToken: string } | null, limit: number): Program<ConsoleFileRow[]> {
  const rows =
    before === null
      ? yield* all<FileRecordRow>('SELECT * FROM files WHERE tenant_key = ? ORDER BY created_at_ms DESC, file_token DESC LIMIT ?', tenantKey, limit)
      : yield* all<FileRecordRow>(
          `SELECT * FROM files WHERE tenant_key = ? AND (created_at_ms < ? OR (created_at_ms = ? AND file_token < ?))
           ORDER BY created_at_ms DESC, file_token DESC LIMIT ?`,
          tenantKey,
          before.createdAtMs,
          before.createdAtMs,
          before.fileToken,
          limit,
        );
  return rows.map((r) => ({
    fileToken: r.file_token,
    name: r.name,
    blobKey: r.blob_key,
    sizeBytes: Number(r.size_bytes),
    format: r.format,
    mime: r.mime,
    width: Number(r.width),
    height: Number(r.height),
    createdAtMs: Number(r.created_at_ms),
  }));
}
