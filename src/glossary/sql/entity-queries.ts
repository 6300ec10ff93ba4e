import type { EntityListQuery, EntitySearchQuery, HighlightDelta, MatchType, SearchCursor, SearchRank } from '../glossary-store.js';
import type { EntityRecord, OuterInfo } from '../model.js';
import { entityFromRow, type EntityRow } from './records.js';
import { all, exec, idKey, one, placeholders, type Program, type SqlValue } from './program.js';

/** Entity reads: one statement each, except highlightChangesSince (run on one snapshot). */

export function* findEntity(tenantKey: string, seq: string): Program<EntityRecord | undefined> {
  const key = idKey(seq);
  if (key === undefined) return undefined;
  const row = yield* one<EntityRow>('SELECT * FROM entities WHERE tenant_key = ? AND seq = ?', tenantKey, key);
  return row && entityFromRow(row);
}

export function* findEntityByOuterInfo(tenantKey: string, outer: OuterInfo): Program<EntityRecord | undefined> {
  const row = yield* one<EntityRow>(
    'SELECT * FROM entities WHERE tenant_key = ? AND outer_provider = ? AND outer_id = ?',
    tenantKey,
    outer.provider,
    outer.outerId,
  );
  return row && entityFromRow(row);
}

export function* listEntities(q: EntityListQuery): Program<EntityRecord[]> {
  const repo = idKey(q.repoId);
  const after = q.afterSeq === null ? 0 : idKey(q.afterSeq);
  if (repo === undefined || after === undefined) return [];
  const provider = q.provider === null ? '' : ' AND outer_provider = ?';
  const rows = yield* all<EntityRow>(
    `SELECT * FROM entities WHERE tenant_key = ? AND repo_id = ?${provider} AND seq > ? ORDER BY seq LIMIT ?`,
    ...([q.tenantKey, repo, ...(q.provider === null ? [] : [q.provider]), after, q.limit] as SqlValue[]),
  );
  return rows.map(entityFromRow);
}

/**
 * Case-insensitive substring search over the folded terms (keys with allow_search, descriptions),
 * each entity ranked by its best hit (main key 0, alias or full name 1, description 2), in
 * (rank, seq) order after the cursor. Without a query: the repo's entities by seq, rank 0.
 */
export function* searchEntities(q: EntitySearchQuery, after: SearchCursor | null, limit: number): Program<{ entity: EntityRecord; rank: SearchRank }[]> {
  const repo = idKey(q.repoId);
  const filters = entityFilters(q);
  const afterSeq = after === null ? 0 : idKey(after.seq);
  if (repo === undefined || filters === 'nothing' || afterSeq === undefined) return [];

  if (q.query === null) {
    if (after !== null && after.rank > 0) return [];
    const rows = yield* all<EntityRow>(
      `SELECT e.* FROM entities e WHERE e.tenant_key = ? AND e.repo_id = ? AND e.seq > ?${filters.sql} ORDER BY e.seq LIMIT ?`,
      q.tenantKey,
      repo,
      afterSeq,
      ...filters.params,
      limit,
    );
    return rows.map((r) => ({ entity: entityFromRow(r), rank: 0 }));
  }

  const afterRank = after === null ? -1 : after.rank;
  const rows = yield* all<EntityRow & { hit_rank: number | string }>(
    `SELECT e.*, m.hit_rank FROM (
       SELECT t.seq, MIN(CASE t.kind WHEN 'main' THEN 0 WHEN 'desc' THEN 2 ELSE 1 END) AS hit_rank
       FROM entity_terms t JOIN entities e ON e.seq = t.seq
       WHERE e.tenant_key = ? AND e.repo_id = ? AND t.allow_search AND instr(t.key_folded, ?) > 0${filters.sql}
       GROUP BY t.seq
     ) m JOIN entities e ON e.seq = m.seq
     WHERE m.hit_rank > ? OR (m.hit_rank = ? AND m.seq > ?)
     ORDER BY m.hit_rank, m.seq LIMIT ?`,
    q.tenantKey,
    repo,
    q.query.toLowerCase(),
    ...filters.params,
    afterRank,
    afterRank,
    afterSeq,
    limit,
  );
  return rows.map((r) => ({ entity: entityFromRow(r), rank: Number(r.hit_rank) as SearchRank }));
}

/** The search filters as `AND …` on entities `e`; 'nothing' when an include list names no id we could have. */
function entityFilters(q: EntitySearchQuery): { sql: string; params: SqlValue[] } | 'nothing' {
  let sql = '';
  const params: SqlValue[] = [];
  const classified = (ids: number[]) => {
    params.push(...ids, ...ids);
    return `EXISTS (SELECT 1 FROM entity_classifications c WHERE c.seq = e.seq
      AND (c.classification_id IN (${placeholders(ids.length)}) OR c.father_id IN (${placeholders(ids.length)})))`;
  };
  const include = validIds(q.classificationInclude);
  if (q.classificationInclude.length > 0 && include.length === 0) return 'nothing';
  if (include.length > 0) sql += ` AND ${classified(include)}`;
  const exclude = validIds(q.classificationExclude);
  if (exclude.length > 0) sql += ` AND NOT ${classified(exclude)}`;
  if (q.sources.length > 0) {
    sql += ` AND e.source IN (${placeholders(q.sources.length)})`;
    params.push(...q.sources);
  }
  if (q.creators.length > 0) {
    sql += ` AND e.creator IN (${placeholders(q.creators.length)})`;
    params.push(...q.creators);
  }
  return { sql, params };
}

function validIds(ids: readonly string[]): number[] {
  return [...new Set(ids.map(idKey).filter((k) => k !== undefined))];
}

/**
 * Exact equality on searchable keys. The index is on the first 100 characters of a key (a whole
 * key may exceed PostgreSQL's bound on an index entry; a match word is at most 100 characters).
 */
export function* matchEntities(tenantKey: string, repoId: string, word: string): Program<{ seq: string; type: MatchType }[]> {
  const repo = idKey(repoId);
  if (repo === undefined) return [];
  const rows = yield* all<{ seq: number | string; match_type: number | string }>(
    `SELECT DISTINCT t.seq, CASE t.kind WHEN 'main' THEN 0 WHEN 'full' THEN 1 ELSE 2 END AS match_type
     FROM entity_terms t JOIN entities e ON e.seq = t.seq
     WHERE substr(t.key, 1, 100) = substr(CAST(? AS TEXT), 1, 100) AND t.key = ? AND t.kind <> 'desc' AND t.allow_search
       AND e.tenant_key = ? AND e.repo_id = ?
     ORDER BY t.seq, match_type`,
    word,
    word,
    tenantKey,
    repo,
  );
  return rows.map((r) => ({ seq: String(r.seq), type: Number(r.match_type) as MatchType }));
}

export function* glossaryVersion(tenantKey: string): Program<number> {
  const row = yield* one<{ version: number | string }>('SELECT version FROM glossary_versions WHERE tenant_key = ?', tenantKey);
  return row ? Number(row.version) : 0;
}

/** Run on one snapshot, so that the version read and the changes read agree. */
export function* highlightChangesSince(tenantKey: string, since: number): Program<HighlightDelta> {
  const version = yield* glossaryVersion(tenantKey);
  if (since >= version) return { version, changed: [] };
  const rows = yield* all<{ seq: number | string; key: string | null }>(
    `SELECT c.seq, t.key FROM glossary_changes c
     LEFT JOIN entities e ON e.seq = c.seq AND e.repo_id = (SELECT id FROM repos WHERE tenant_key = ? AND company_wide)
     LEFT JOIN entity_terms t ON t.seq = e.seq AND t.kind <> 'desc' AND t.allow_highlight
     WHERE c.tenant_key = ? AND c.version > ?
     ORDER BY c.seq, t.ord`,
    tenantKey,
    tenantKey,
    since,
  );
  const changed = new Map<string, string[]>();
  for (const r of rows) {
    const keys = changed.get(String(r.seq)) ?? [];
    if (r.key !== null) keys.push(r.key);
    changed.set(String(r.seq), keys);
  }
  return { version, changed: [...changed].map(([seq, keys]) => ({ seq, keys })) };
}

const pageTokenKeyName = 'page-token';

export function* findPageTokenKey(): Program<Buffer | undefined> {
  return (yield* one<{ value: Buffer }>('SELECT value FROM server_keys WHERE name = ?', pageTokenKeyName))?.value;
}

/** The first writer's key wins; every later one reads it. */
export function* createPageTokenKey(candidate: Buffer): Program<Buffer> {
  yield* exec('INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', pageTokenKeyName, candidate);
  const key = yield* findPageTokenKey();
  if (!key) throw new Error('the page token key is missing right after its insert');
  return key;
}
