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
  `, // v2: the glossary (src/glossary/sqlite-glossary-store.ts; PostgreSQL twin in postgres-migrations.ts).
  // AUTOINCREMENT: an id is never reused after a delete, so a wire id names one entity forever.
  // entity_terms, entity_images and entity_classifications are derived from entities.content
  // (the record itself, as JSON) for match, search, highlight and reference lookups.
  `
  CREATE TABLE repos (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key    TEXT NOT NULL,
    name          TEXT NOT NULL,
    company_wide  INTEGER NOT NULL CHECK (company_wide IN (0, 1))
  );
  CREATE UNIQUE INDEX repos_one_company_wide ON repos (tenant_key) WHERE company_wide;
  CREATE INDEX repos_tenant ON repos (tenant_key, id);
  CREATE TABLE repo_grants (
    repo_id       INTEGER NOT NULL REFERENCES repos (id),
    app_id        TEXT NOT NULL,
    PRIMARY KEY (repo_id, app_id)
  );
  CREATE TABLE classifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id       INTEGER NOT NULL REFERENCES repos (id),
    name          TEXT NOT NULL,
    father_id     INTEGER REFERENCES classifications (id),
    i18n_names    TEXT NOT NULL
  );
  CREATE INDEX classifications_repo ON classifications (repo_id, id);
  CREATE TABLE entities (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key     TEXT NOT NULL,
    repo_id        INTEGER NOT NULL REFERENCES repos (id),
    content        TEXT NOT NULL,
    creator        TEXT NOT NULL,
    updater        TEXT NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    source         INTEGER NOT NULL CHECK (source BETWEEN 1 AND 4),
    outer_provider TEXT,
    outer_id       TEXT,
    CHECK ((outer_provider IS NULL) = (outer_id IS NULL))
  );
  CREATE UNIQUE INDEX entities_outer_info ON entities (tenant_key, outer_provider, outer_id);
  CREATE INDEX entities_repo ON entities (repo_id, seq);
  CREATE INDEX entities_repo_provider ON entities (repo_id, outer_provider, seq);
  CREATE TABLE entity_terms (
    seq             INTEGER NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
    ord             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('main', 'full', 'alias', 'desc')),
    key             TEXT NOT NULL,
    key_folded      TEXT NOT NULL,
    allow_search    INTEGER NOT NULL CHECK (allow_search IN (0, 1)),
    allow_highlight INTEGER NOT NULL CHECK (allow_highlight IN (0, 1)),
    PRIMARY KEY (seq, ord)
  );
  CREATE INDEX entity_terms_match ON entity_terms (substr(key, 1, 100)) WHERE kind <> 'desc';
  CREATE TABLE entity_images (
    seq           INTEGER NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
    ord           INTEGER NOT NULL,
    file_token    TEXT NOT NULL,
    PRIMARY KEY (seq, ord)
  );
  CREATE INDEX entity_images_file_token ON entity_images (file_token);
  CREATE TABLE entity_classifications (
    seq               INTEGER NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
    classification_id INTEGER NOT NULL,
    father_id         INTEGER,
    PRIMARY KEY (seq, classification_id)
  );
  CREATE TABLE drafts (
    draft_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key    TEXT NOT NULL,
    repo_id       INTEGER NOT NULL REFERENCES repos (id),
    target_seq    INTEGER,
    content       TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    creator       TEXT NOT NULL,
    app_id        TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    entity_seq    INTEGER
  );
  CREATE INDEX drafts_tenant_state ON drafts (tenant_key, state, draft_id);
  CREATE TABLE glossary_versions (
    tenant_key    TEXT PRIMARY KEY,
    version       INTEGER NOT NULL
  );
  CREATE TABLE glossary_changes (
    tenant_key    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, seq)
  );
  CREATE INDEX glossary_changes_since ON glossary_changes (tenant_key, version);
  CREATE TABLE server_keys (
    name          TEXT PRIMARY KEY,
    value         BLOB NOT NULL
  );
  `, // v3: console sign-in tokens and sessions (src/console/console-auth.ts); only hashes are stored.
  `
  CREATE TABLE console_credentials (
    hash          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('token', 'session')),
    tenant_key    TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
  );
  CREATE INDEX console_credentials_expiry ON console_credentials (expires_at_ms);
  `,
];
