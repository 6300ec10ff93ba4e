/**
 * The glossary's tables as rows, for `lingo-server migrate`: read from one metadata database and
 * written, ids and all, into another. Not part of GlossaryStore: nothing but a copy may choose
 * ids. Every id is kept, since entity ids, draft ids, repo and classification ids are on the wire
 * (clients store them) and page tokens carry entity seqs and classification ids.
 */

export type ColumnType = 'int' | 'text' | 'bool' | 'bytes';

/** A value as both backends bind it; integers as numbers (ours stay far below 2^53). */
export type CopyValue = number | string | boolean | Buffer | null;

export type CopyRow = Readonly<Record<string, CopyValue>>;

export interface TableSpec {
  /** Primary key columns, in the order rows are read. */
  key: readonly string[];
  /** Every column, with the type its values are normalised to (SQLite 1/0 and PostgreSQL's bigint strings alike). */
  columns: Readonly<Record<string, ColumnType>>;
  /** The identity (AUTOINCREMENT) column, whose counter the copy carries over. */
  identity?: string;
}

/**
 * In copy order: a row's references are copied before it (repos before grants, a first-level
 * classification before its children, entities before drafts); the version rows last, so that
 * an instance that sees a tenant's version finds every change up to it.
 */
export const glossaryTables = {
  repos: { key: ['id'], identity: 'id', columns: { id: 'int', tenant_key: 'text', name: 'text', company_wide: 'bool' } },
  repo_grants: { key: ['repo_id', 'app_id'], columns: { repo_id: 'int', app_id: 'text' } },
  classifications: {
    key: ['id'],
    identity: 'id',
    columns: { id: 'int', repo_id: 'int', name: 'text', father_id: 'int', i18n_names: 'text' },
  },
  entities: {
    key: ['seq'],
    identity: 'seq',
    columns: {
      seq: 'int',
      tenant_key: 'text',
      repo_id: 'int',
      content: 'text',
      creator: 'text',
      updater: 'text',
      created_at_ms: 'int',
      updated_at_ms: 'int',
      source: 'int',
      outer_provider: 'text',
      outer_id: 'text',
    },
  },
  entity_terms: {
    key: ['seq', 'ord'],
    columns: { seq: 'int', ord: 'int', kind: 'text', key: 'text', key_folded: 'text', allow_search: 'bool', allow_highlight: 'bool' },
  },
  entity_images: { key: ['seq', 'ord'], columns: { seq: 'int', ord: 'int', file_token: 'text' } },
  entity_classifications: { key: ['seq', 'classification_id'], columns: { seq: 'int', classification_id: 'int', father_id: 'int' } },
  drafts: {
    key: ['draft_id'],
    identity: 'draft_id',
    columns: {
      draft_id: 'int',
      tenant_key: 'text',
      repo_id: 'int',
      target_seq: 'int',
      content: 'text',
      state: 'text',
      creator: 'text',
      app_id: 'text',
      created_at_ms: 'int',
      updated_at_ms: 'int',
      entity_seq: 'int',
    },
  },
  glossary_changes: { key: ['tenant_key', 'seq'], columns: { tenant_key: 'text', seq: 'int', version: 'int' } },
  glossary_versions: { key: ['tenant_key'], columns: { tenant_key: 'text', version: 'int' } },
  server_keys: { key: ['name'], columns: { name: 'text', value: 'bytes' } },
} as const satisfies Record<string, TableSpec>;

export type GlossaryTable = keyof typeof glossaryTables;

/** The rows derived from an entity's content, copied in the same transaction as the entity. */
export const entityParts = ['entity_terms', 'entity_images', 'entity_classifications'] as const satisfies readonly GlossaryTable[];
export type EntityPart = (typeof entityParts)[number];

export type IdentityTable = { [T in GlossaryTable]: (typeof glossaryTables)[T] extends { identity: string } ? T : never }[GlossaryTable];
export const identityTables: readonly IdentityTable[] = ['repos', 'classifications', 'entities', 'drafts'];

/**
 * What became of the rows of one table in a write: inserted, already there and equal, or a
 * conflict: the destination holds a different row under that key (or another row holds one of
 * its unique values, such as a tenant's company-wide repo or an outer_info), so the row could
 * not be copied with its id. `conflicts` lists the keys.
 */
export interface WriteOutcome {
  copied: number;
  skipped: number;
  conflicts: CopyRow[];
}

export interface GlossaryCopy {
  /** Up to `limit` rows of `table` in key order, after the row whose key is `after` (null: from the start). */
  readRows(table: GlossaryTable, after: CopyRow | null, limit: number): Promise<CopyRow[]>;
  /** The rows of `table` that belong to these entities. */
  readEntityParts(table: EntityPart, seqs: readonly number[]): Promise<CopyRow[]>;
  /** Inserts the rows that are absent, in one transaction. */
  writeRows(table: GlossaryTable, rows: readonly CopyRow[]): Promise<WriteOutcome>;
  /**
   * Inserts entities and their derived rows in one transaction, so that an entity is copied whole
   * or not at all; the parts of an entity that conflicted are not written (they count as conflicts).
   */
  writeEntities(entities: readonly CopyRow[], parts: Readonly<Record<EntityPart, readonly CopyRow[]>>): Promise<Record<'entities' | EntityPart, WriteOutcome>>;
  /** The highest id the table's identity has given, deleted rows included (0: none yet). */
  identityHighWater(table: IdentityTable): Promise<number>;
  /** Makes the identity's next id greater than `atLeast`; never lowers it. */
  raiseIdentity(table: IdentityTable, atLeast: number): Promise<void>;
}

/** The key columns of `row`, as an object (what conflicts report). */
export function keyOf(table: GlossaryTable, row: CopyRow): CopyRow {
  return Object.fromEntries(glossaryTables[table].key.map((k) => [k, row[k] ?? null]));
}
