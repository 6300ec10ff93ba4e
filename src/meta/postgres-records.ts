import type { AppRow, FileRow, TokenRow } from './meta-store.js';

/**
 * Rows as the driver returns them. bigint columns arrive as strings (they may exceed 2^53 in
 * general); ours hold milliseconds and byte counts, far below it, so they become numbers here.
 */
export interface AppRecord {
  app_id: string;
  name: string;
  secret_hash: string;
  tenant_key: string;
  type: string;
  scopes: string[];
  created_at_ms: string;
}

export interface TokenRecord {
  token_hash: string;
  kind: string;
  app_id: string;
  tenant_key: string;
  user_id: string | null;
  scopes: string[] | null;
  nonce: string;
  issued_at_ms: string;
  expires_at_ms: string;
}

export interface FileRecord {
  file_token: string;
  tenant_key: string;
  app_id: string;
  name: string;
  blob_key: string;
  size_bytes: string;
  sha256: string;
  format: string;
  mime: string;
  width: number;
  height: number;
  created_at_ms: string;
}

export function appFromRecord(r: AppRecord): AppRow {
  return {
    appId: r.app_id,
    name: r.name,
    secretHash: r.secret_hash,
    tenantKey: r.tenant_key,
    type: r.type === 'store' ? 'store' : 'self_built',
    scopes: r.scopes,
    createdAtMs: Number(r.created_at_ms),
  };
}

export function tokenFromRecord(r: TokenRecord): TokenRow {
  return {
    tokenHash: r.token_hash,
    kind: r.kind === 'user' ? 'user' : 'tenant',
    appId: r.app_id,
    tenantKey: r.tenant_key,
    userId: r.user_id,
    scopes: r.scopes,
    nonce: r.nonce,
    issuedAtMs: Number(r.issued_at_ms),
    expiresAtMs: Number(r.expires_at_ms),
  };
}

export function fileFromRecord(r: FileRecord): FileRow {
  return {
    fileToken: r.file_token,
    tenantKey: r.tenant_key,
    appId: r.app_id,
    name: r.name,
    blobKey: r.blob_key,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    format: r.format,
    mime: r.mime,
    width: r.width,
    height: r.height,
    createdAtMs: Number(r.created_at_ms),
  };
}
