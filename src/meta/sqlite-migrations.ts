/** Schema versions, applied in order; PRAGMA user_version records how many ran. Never edit one that shipped. */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE apps (
    app_id        TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    tenant_key    TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('self_built', 'store')),
    scopes        TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE TABLE tokens (
    token_hash    TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('tenant', 'user')),
    app_id        TEXT NOT NULL REFERENCES apps (app_id),
    tenant_key    TEXT NOT NULL,
    user_id       TEXT,
    scopes        TEXT,
    nonce         TEXT NOT NULL,
    issued_at_ms  INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
  );
  CREATE INDEX tokens_latest_tenant ON tokens (app_id, tenant_key, kind, expires_at_ms);
  CREATE TABLE files (
    file_token    TEXT PRIMARY KEY,
    tenant_key    TEXT NOT NULL,
    app_id        TEXT NOT NULL,
    name          TEXT NOT NULL,
    blob_key      TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    format        TEXT NOT NULL,
    mime          TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX files_blob_key ON files (blob_key);
  `,
];
