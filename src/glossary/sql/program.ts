/**
 * A glossary store operation is written once, as a generator that yields SQL statements and
 * receives their rows, and run by either backend: SQLite drives it synchronously inside one
 * better-sqlite3 transaction (no other statement of this process can slip in between), PostgreSQL
 * awaits each statement on one pooled client inside BEGIN … COMMIT. The SQL text is the same on
 * both: `?` placeholders (numbered for PostgreSQL by the runner), booleans bound as JS booleans
 * (1/0 on SQLite), and `instr` (a PostgreSQL function of migration v2 maps it to strpos).
 */

export type SqlValue = string | number | boolean | Buffer | null;

export interface Statement {
  sql: string;
  params: readonly SqlValue[];
}

export type Row = Record<string, unknown>;

/** An operation that yields statements, is resumed with each one's rows, and returns R. */
export type Program<R> = Generator<Statement, R, Row[]>;

/**
 * How a program runs. 'read': no transaction needed (each statement may see a newer state);
 * 'snapshot': its statements read one consistent state; 'write': one transaction that writes.
 */
export type RunMode = 'read' | 'snapshot' | 'write';

/** Every row of a statement (RETURNING rows for a write). */
export function* all<T>(sql: string, ...params: SqlValue[]): Program<T[]> {
  return (yield { sql, params }) as T[];
}

/** The first row, if any. */
export function* one<T>(sql: string, ...params: SqlValue[]): Program<T | undefined> {
  const rows = yield* all<T>(sql, ...params);
  return rows[0];
}

export function* exec(sql: string, ...params: SqlValue[]): Program<void> {
  yield { sql, params };
}

/**
 * Thrown by a program to end its transaction without effect and answer `outcome` (an expected
 * outcome such as 'outer-info-taken' found after the program had already written).
 */
export class Rollback extends Error {
  override readonly name = 'Rollback';
  constructor(readonly outcome: unknown) {
    super('rolled back');
  }
}

/** `?, ?, ?` for an `IN` list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** `(?, ?), (?, ?)` for a multi-row VALUES. */
export function valueRows(rows: number, columns: number): string {
  const row = `(${placeholders(columns)})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

/**
 * An id we may have assigned, as a bind value: a canonical positive decimal integer within 2^53.
 * Anything else (a foreign 19-digit id, `abc`, `007`) names nothing we store, and must never
 * reach PostgreSQL as a bigint parameter (it would fail the statement).
 */
export function idKey(id: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}
