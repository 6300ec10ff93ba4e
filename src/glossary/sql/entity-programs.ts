import type { EntityWrite } from '../glossary-store.js';
import type { EntityContent, EntityRecord, EntitySource, OuterInfo } from '../model.js';
import { entityFromRow, type EntityRow } from './records.js';
import { all, exec, idKey, one, placeholders, Rollback, valueRows, type Program, type SqlValue } from './program.js';

/**
 * Entity writes. Each starts by bumping the tenant's glossary version (an upsert on one row per
 * tenant), which takes that row's lock on PostgreSQL: writers of a tenant serialise there, commit
 * in version order, and every check made after it (is this outer_info taken?) holds until commit,
 * so a unique violation is never what decides an outcome. SQLite's IMMEDIATE transaction
 * serialises every writer anyway.
 */

export function* bumpVersion(tenantKey: string): Program<number> {
  const row = yield* one<{ version: number | string }>(
    `INSERT INTO glossary_versions (tenant_key, version) VALUES (?, 1)
     ON CONFLICT (tenant_key) DO UPDATE SET version = glossary_versions.version + 1 RETURNING version`,
    tenantKey,
  );
  return Number(row!.version);
}

/** One row per entity ever written, with the version of its last change (deletions included). */
function* recordChange(tenantKey: string, seq: number, version: number): Program<void> {
  yield* exec(
    'INSERT INTO glossary_changes (tenant_key, seq, version) VALUES (?, ?, ?) ON CONFLICT (tenant_key, seq) DO UPDATE SET version = excluded.version',
    tenantKey,
    seq,
    version,
  );
}

/** The entity of this tenant bound to `outer`, if any. */
function* outerInfoOwner(tenantKey: string, outer: OuterInfo | null): Program<number | undefined> {
  if (!outer) return undefined;
  const row = yield* one<{ seq: number | string }>(
    'SELECT seq FROM entities WHERE tenant_key = ? AND outer_provider = ? AND outer_id = ?',
    tenantKey,
    outer.provider,
    outer.outerId,
  );
  return row && Number(row.seq);
}

/** Inserts the entity and its derived rows; 'outer-info-taken' when its outer_info is another's. */
export function* addEntity(row: Omit<EntityRecord, 'seq'>, version: number): Program<EntityWrite> {
  if ((yield* outerInfoOwner(row.tenantKey, row.content.outerInfo)) !== undefined) return 'outer-info-taken';
  const outer = row.content.outerInfo;
  const inserted = yield* one<{ seq: number | string }>(
    `INSERT INTO entities (tenant_key, repo_id, content, creator, updater, created_at_ms, updated_at_ms, source, outer_provider, outer_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
    row.tenantKey,
    idKey(row.repoId) ?? null,
    JSON.stringify(row.content),
    row.creator,
    row.updater,
    row.createdAtMs,
    row.updatedAtMs,
    row.source,
    outer?.provider ?? null,
    outer?.outerId ?? null,
  );
  const seq = Number(inserted!.seq);
  yield* writeDerivedRows(seq, row.content);
  yield* recordChange(row.tenantKey, seq, version);
  return { ...row, seq: String(seq) };
}

/**
 * Full replace of an entity's content, with its derived rows; creator, create time and repo stay,
 * and so does the source unless `source` is given.
 */
export function* overwriteEntity(
  tenantKey: string,
  seq: number,
  content: EntityContent,
  updater: string,
  updatedAtMs: number,
  source: EntitySource | null,
  version: number,
): Program<EntityWrite | 'missing'> {
  if (!(yield* one('SELECT seq FROM entities WHERE tenant_key = ? AND seq = ?', tenantKey, seq))) return 'missing';
  const owner = yield* outerInfoOwner(tenantKey, content.outerInfo);
  if (owner !== undefined && owner !== seq) return 'outer-info-taken';
  const row = yield* one<EntityRow>(
    `UPDATE entities SET content = ?, updater = ?, updated_at_ms = ?, source = COALESCE(?, source), outer_provider = ?, outer_id = ?
     WHERE seq = ? RETURNING *`,
    JSON.stringify(content),
    updater,
    updatedAtMs,
    source,
    content.outerInfo?.provider ?? null,
    content.outerInfo?.outerId ?? null,
    seq,
  );
  yield* clearDerivedRows(seq);
  yield* writeDerivedRows(seq, content);
  yield* recordChange(tenantKey, seq, version);
  return entityFromRow(row!);
}

export function* insertEntity(row: Omit<EntityRecord, 'seq'>): Program<EntityWrite> {
  const written = yield* addEntity(row, yield* bumpVersion(row.tenantKey));
  if (written === 'outer-info-taken') throw new Rollback(written);
  return written;
}

export function* replaceEntity(tenantKey: string, seq: string, content: EntityContent, updater: string, updatedAtMs: number): Program<EntityWrite | 'missing'> {
  const key = idKey(seq);
  if (key === undefined) return 'missing';
  const written = yield* overwriteEntity(tenantKey, key, content, updater, updatedAtMs, null, yield* bumpVersion(tenantKey));
  if (typeof written === 'string') throw new Rollback(written);
  return written;
}

export function* deleteEntity(tenantKey: string, seq: string): Program<boolean> {
  const key = idKey(seq);
  if (key === undefined) return false;
  const version = yield* bumpVersion(tenantKey);
  yield* clearDerivedRows(key);
  if (!(yield* one('DELETE FROM entities WHERE tenant_key = ? AND seq = ? RETURNING seq', tenantKey, key))) throw new Rollback(false);
  yield* recordChange(tenantKey, key, version);
  return true;
}

function* clearDerivedRows(seq: number): Program<void> {
  for (const table of ['entity_terms', 'entity_images', 'entity_classifications']) yield* exec(`DELETE FROM ${table} WHERE seq = ?`, seq);
}

/**
 * What match, search, highlight and the reference finders read: every key and description folded
 * (String#toLowerCase, so the query folds the same way), image tokens, classification ids with
 * their first-level parent as stored in `classifications` (else as the content says).
 */
function* writeDerivedRows(seq: number, content: EntityContent): Program<void> {
  const terms = termsOf(content).map((t, ord): SqlValue[] => [seq, ord, t.kind, t.key, t.key.toLowerCase(), t.allowSearch, t.allowHighlight]);
  yield* insertRows('entity_terms', ['seq', 'ord', 'kind', 'key', 'key_folded', 'allow_search', 'allow_highlight'], terms);
  const images = content.relatedMeta.images.map((image, ord): SqlValue[] => [seq, ord, image.token]);
  yield* insertRows('entity_images', ['seq', 'ord', 'file_token'], images);

  const named = new Map<number, number | null>();
  for (const c of content.relatedMeta.classifications) {
    const id = idKey(c.id);
    if (id !== undefined && !named.has(id)) named.set(id, c.fatherId === undefined ? null : (idKey(c.fatherId) ?? null));
  }
  if (named.size === 0) return;
  const known = yield* all<{ id: number | string; father_id: number | string | null }>(
    `SELECT id, father_id FROM classifications WHERE id IN (${placeholders(named.size)})`,
    ...named.keys(),
  );
  for (const k of known) if (k.father_id !== null) named.set(Number(k.id), Number(k.father_id));
  yield* insertRows(
    'entity_classifications',
    ['seq', 'classification_id', 'father_id'],
    [...named].map(([id, father]) => [seq, id, father]),
  );
}

type TermKind = 'main' | 'full' | 'alias' | 'desc';

function termsOf(content: EntityContent): { kind: TermKind; key: string; allowSearch: boolean; allowHighlight: boolean }[] {
  const keys = (kind: TermKind, terms: EntityContent['mainKeys']) =>
    terms.map((t) => ({ kind, key: t.key, allowSearch: t.displayStatus.allowSearch, allowHighlight: t.displayStatus.allowHighlight }));
  // Descriptions are searchable text, never keys: searchable, never highlighted.
  const descriptions = [content.description, ...content.i18nDescs.map((d) => d.description ?? '')]
    .filter((d) => d !== '')
    .map((key) => ({ kind: 'desc' as const, key, allowSearch: true, allowHighlight: false }));
  return [...keys('main', content.mainKeys), ...keys('full', content.fullNames ?? []), ...keys('alias', content.aliases), ...descriptions];
}

/** Rows per INSERT statement: far below either backend's bound on parameters. */
const rowsPerInsert = 500;

function* insertRows(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Program<void> {
  for (let i = 0; i < rows.length; i += rowsPerInsert) {
    const chunk = rows.slice(i, i + rowsPerInsert);
    yield* exec(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valueRows(chunk.length, columns.length)}`, ...chunk.flat());
  }
}
