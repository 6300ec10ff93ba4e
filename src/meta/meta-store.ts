/**
 * Rows: apps, access tokens and files. Async so that a networked backend fits the same contract;
 * expected outcomes are values (`undefined`, `'duplicate'`), failures are thrown.
 */
export type AppType = 'self_built' | 'store';

export interface AppRow {
  appId: string;
  name: string;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  secretHash: string;
  tenantKey: string;
  type: AppType;
  scopes: string[];
  createdAtMs: number;
}

export type TokenKind = 'tenant' | 'user';

export interface TokenRow {
  /** SHA-256 (hex) of the token string; tokens are looked up by hash. */
  tokenHash: string;
  kind: TokenKind;
  appId: string;
  tenantKey: string;
  /** For user tokens. */
  userId: string | null;
  /** For user tokens: the privileges the user granted; tenant tokens use the app's scopes. */
  scopes: string[] | null;
  /** Random per-token salt: a tenant token is re-derivable from the app secret (see auth/tokens.ts). */
  nonce: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

export interface FileRow {
  fileToken: string;
  tenantKey: string;
  appId: string;
  name: string;
  blobKey: string;
  sizeBytes: number;
  sha256: string;
  format: string;
  mime: string;
  width: number;
  height: number;
  createdAtMs: number;
}

export interface MetaStore {
  insertApp(row: AppRow): Promise<'ok' | 'duplicate'>;
  findApp(appId: string): Promise<AppRow | undefined>;
  listApps(): Promise<AppRow[]>;

  insertToken(row: TokenRow): Promise<void>;
  findToken(tokenHash: string): Promise<TokenRow | undefined>;
  /**
   * The tenant token to hand out for this app and tenant: the one that expires last if it expires
   * at or after `minExpiresAtMs`, else the row `mint()` makes, inserted. Atomic for every process
   * that shares the store, so concurrent callers on any instance get the same row.
   */
  issueTenantToken(appId: string, tenantKey: string, minExpiresAtMs: number, mint: () => TokenRow): Promise<TokenRow>;
  /** Every token row, expired ones included, read a page at a time (for migrate). */
  listTokens(): AsyncIterable<TokenRow>;

  /**
   * Durable when it resolves. `lazy`: nobody waits for it (its durability comes from a journal
   * entry, src/files/file-journal.ts), so it may wait a little to share a transaction.
   */
  insertFile(row: FileRow, options?: { lazy?: boolean }): Promise<'ok' | 'duplicate'>;
  findFile(tenantKey: string, fileToken: string): Promise<FileRow | undefined>;
  /** Every file row, for fsck (bounded by the caller's iteration). */
  listFiles(): AsyncIterable<FileRow>;
  /** Whether any row references this blob key (for gc). */
  isBlobReferenced(blobKey: string): Promise<boolean>;

  /** Cheap round trip used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
