import type Database from 'better-sqlite3';
import type { IdentityTable } from './glossary-copy.js';
import { exec, one, Rollback, type Program, type RunMode, type SqlValue } from './sql/program.js';
import { SqlGlossaryStore } from './sql/sql-glossary-store.js';

/** Prepared statements kept per store; the SQL texts are few (IN lists and multi-row VALUES vary a little). */
const maxCachedStatements = 256;

/**
 * The glossary on the metadata store's SQLite connection (its schema is migration v2 of
 * src/meta/sqlite-migrations.ts). A program runs synchronously inside one better-sqlite3
 * transaction: IMMEDIATE for writes (the write lock from the start, so a CLI process on the same
 * file takes its turn; synchronous=FULL makes the commit durable), DEFERRED for reads (one WAL
 * snapshot). Nothing else of this process runs in between, since nothing here awaits.
 */
export class SqliteGlossaryStore extends SqlGlossaryStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    super();
  }

  protected async run<R>(program: Program<R>, mode: RunMode): Promise<R> {
    const body = (): R => {
      let step = program.next();
      while (!step.done) step = program.next(this.execute(step.value.sql, step.value.params));
      return step.value;
    };
    try {
      const transaction = this.db.transaction(body);
      return mode === 'write' ? transaction.immediate() : transaction.deferred();
    } catch (err) {
      if (err instanceof Rollback) return err.outcome as R;
      throw err;
    }
  }

  /** AUTOINCREMENT keeps each table's highest id ever given in sqlite_sequence. */
  async identityHighWater(table: IdentityTable): Promise<number> {
    return this.run(highWater(table), 'read');
  }

  async raiseIdentity(table: IdentityTable, atLeast: number): Promise<void> {
    return this.run(raise(table, atLeast), 'write');
  }

  private execute(sql: string, params: readonly SqlValue[]): Record<string, unknown>[] {
    const stmt = this.prepare(sql);
    const values = params.map((v) => (typeof v === 'boolean' ? Number(v) : v));
    if (stmt.reader) return stmt.all(...values) as Record<string, unknown>[];
    stmt.run(...values);
    return [];
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= maxCachedStatements) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

function* highWater(table: IdentityTable): Program<number> {
  const row = yield* one<{ seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?', table);
  return row ? Number(row.seq) : 0;
}

/** The next AUTOINCREMENT id is one past the larger of sqlite_sequence and the table's largest id. */
function* raise(table: IdentityTable, atLeast: number): Program<void> {
  yield* exec('UPDATE sqlite_sequence SET seq = ? WHERE name = ? AND seq < ?', atLeast, table, atLeast);
  yield* exec('INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)', table, atLeast, table);
}
