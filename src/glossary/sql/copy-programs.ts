import {
  entityParts,
  glossaryTables,
  keyOf,
  type ColumnType,
  type CopyRow,
  type CopyValue,
  type EntityPart,
  type GlossaryTable,
  type WriteOutcome,
} from '../glossary-copy.js';
import { all, placeholders, valueRows, type Program, type Row, type SqlValue } from './program.js';

/**
 * The programs of GlossaryCopy (src/glossary/glossary-copy.ts), in the SQL both backends share.
 * Keys are compared with `=` and `>` only (no row values), so that PostgreSQL infers every
 * parameter's type from the column it meets.
 */

const columnsOf = (table: GlossaryTable): string[] => Object.keys(glossaryTables[table].columns);

/** A row as either driver returns it → the types of its table's spec. */
function normalised(table: GlossaryTable, raw: Row): CopyRow {
  const types: Readonly<Record<string, ColumnType>> = glossaryTables[table].columns;
  return Object.fromEntries(Object.entries(types).map(([column, type]) => [column, value(type, raw[column])]));
}

function value(type: ColumnType, v: unknown): CopyValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'int':
      return Number(v);
    case 'bool':
      return v === true || v === 1 || v === '1';
    case 'bytes':
      return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
    case 'text':
      if (typeof v !== 'string') throw new Error(`a text column holds a ${typeof v}`);
      return v;
  }
}

function sameValue(a: CopyValue, b: CopyValue): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  return a === b;
}

function sameRow(table: GlossaryTable, a: CopyRow, b: CopyRow): boolean {
  return columnsOf(table).every((c) => sameValue(a[c] ?? null, b[c] ?? null));
}

const keyString = (table: GlossaryTable, row: CopyRow): string => JSON.stringify(glossaryTables[table].key.map((k) => row[k] ?? null));

/** `(k1 > ?) OR (k1 = ? AND k2 > ?)`: the rows after `after` in key order. */
function after(table: GlossaryTable, row: CopyRow): { sql: string; params: SqlValue[] } {
  const key = glossaryTables[table].key;
  const terms: string[] = [];
  const params: SqlValue[] = [];
  key.forEach((column, i) => {
    const equal = key.slice(0, i);
    terms.push(`(${[...equal.map((c) => `${c} = ?`), `${column} > ?`].join(' AND ')})`);
    params.push(...equal.map((c) => row[c] ?? null), row[column] ?? null);
  });
  return { sql: terms.join(' OR '), params };
}

/** `(k1 = ? AND k2 = ?) OR …` for these rows' keys. */
function keysIn(table: GlossaryTable, rows: readonly CopyRow[]): { sql: string; params: SqlValue[] } {
  const key = glossaryTables[table].key;
  return {
    sql: rows.map(() => `(${key.map((c) => `${c} = ?`).join(' AND ')})`).join(' OR '),
    params: rows.flatMap((r) => key.map((c) => r[c] ?? null)),
  };
}

export function* readRows(table: GlossaryTable, from: CopyRow | null, limit: number): Program<CopyRow[]> {
  const where = from === null ? { sql: '', params: [] } : after(table, from);
  const rows = yield* all<Row>(
    `SELECT ${columnsOf(table).join(', ')} FROM ${table}${where.sql ? ` WHERE ${where.sql}` : ''} ORDER BY ${glossaryTables[table].key.join(', ')} LIMIT ?`,
    ...where.params,
    limit,
  );
  return rows.map((r) => normalised(table, r));
}

export function* readEntityParts(table: EntityPart, seqs: readonly number[]): Program<CopyRow[]> {
  if (seqs.length === 0) return [];
  const rows = yield* all<Row>(
    `SELECT ${columnsOf(table).join(', ')} FROM ${table} WHERE seq IN (${placeholders(seqs.length)}) ORDER BY ${glossaryTables[table].key.join(', ')}`,
    ...seqs,
  );
  return rows.map((r) => normalised(table, r));
}

/** Rows per statement: far below either backend's bound on parameters (11 columns at most). */
const rowsPerStatement = 200;

/**
 * Inserts what is absent (ON CONFLICT DO NOTHING, which also yields to a unique index such as a
 * tenant's one company-wide repo), then reads back every row that was not inserted: equal → skipped,
 * different or absent under its key → a conflict.
 */
export function* writeRows(table: GlossaryTable, rows: readonly CopyRow[]): Program<WriteOutcome> {
  const outcome: WriteOutcome = { copied: 0, skipped: 0, conflicts: [] };
  const columns = columnsOf(table);
  const key = glossaryTables[table].key;
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const chunk = rows.slice(i, i + rowsPerStatement);
    const inserted = yield* all<Row>(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valueRows(chunk.length, columns.length)} ON CONFLICT DO NOTHING RETURNING ${key.join(', ')}`,
      ...chunk.flatMap((r) => columns.map((c) => r[c] ?? null)),
    );
    outcome.copied += inserted.length;
    const insertedKeys = new Set(inserted.map((r) => keyString(table, normalised(table, r))));
    const notInserted = chunk.filter((r) => !insertedKeys.has(keyString(table, r)));
    if (notInserted.length === 0) continue;
    const where = keysIn(table, notInserted);
    const present = yield* all<Row>(`SELECT ${columns.join(', ')} FROM ${table} WHERE ${where.sql}`, ...where.params);
    const byKey = new Map(present.map((r) => normalised(table, r)).map((r) => [keyString(table, r), r]));
    for (const row of notInserted) {
      const there = byKey.get(keyString(table, row));
      if (there !== undefined && sameRow(table, row, there)) outcome.skipped++;
      else outcome.conflicts.push(keyOf(table, row));
    }
  }
  return outcome;
}

export function* writeEntities(
  entities: readonly CopyRow[],
  parts: Readonly<Record<EntityPart, readonly CopyRow[]>>,
): Program<Record<'entities' | EntityPart, WriteOutcome>> {
  const written = yield* writeRows('entities', entities);
  const refused = new Set(written.conflicts.map((k) => k.seq));
  const result = { entities: written } as Record<'entities' | EntityPart, WriteOutcome>;
  for (const table of entityParts) {
    // Rows of an entity that could not be copied would attach to whatever holds its seq there.
    const mine = parts[table].filter((r) => !refused.has(r.seq ?? null));
    const outcome = yield* writeRows(table, mine);
    outcome.conflicts.push(...parts[table].filter((r) => refused.has(r.seq ?? null)).map((r) => keyOf(table, r)));
    result[table] = outcome;
  }
  return result;
}
