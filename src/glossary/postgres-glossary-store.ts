import type pg from 'pg';
import { translated } from '../meta/postgres-errors.js';
import type { PostgresMetaStore } from '../meta/postgres-meta-store.js';
import { inTransaction } from '../meta/postgres-pool.js';
import { Rollback, type Program, type Row, type RunMode, type Statement } from './sql/program.js';
import { SqlGlossaryStore } from './sql/sql-glossary-store.js';

/**
 * The glossary on the PostgreSQL metadata store's pool (its schema is migration v2 of
 * src/meta/postgres-migrations.ts, applied by that store before its first statement). Writes run
 * on one client inside BEGIN … COMMIT (READ COMMITTED; a write's first statement locks its
 * tenant's version row, see sql/entity-programs.ts), snapshot reads inside a REPEATABLE READ
 * READ ONLY transaction, plain reads statement by statement on the pool. Nothing is retried;
 * an outage is thrown as MetaStoreUnavailableError, as the metadata store does.
 */
export class PostgresGlossaryStore extends SqlGlossaryStore {
  private schema: Promise<void> | undefined;

  constructor(private readonly meta: PostgresMetaStore) {
    super();
  }

  protected async run<R>(program: Program<R>, mode: RunMode): Promise<R> {
    await this.ready();
    try {
      if (mode === 'read') return await drive(program, this.meta.pool);
      return await inTransaction(this.meta.pool, async (client) => {
        if (mode === 'snapshot') await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        try {
          return await drive(program, client);
        } catch (err) {
          if (!(err instanceof Rollback)) throw err;
          // Undone here, on a connection that is fine: inTransaction would take any error that
          // is not PostgreSQL's own for an outage and close the connection. It commits the
          // empty transaction that follows.
          await client.query('ROLLBACK; BEGIN');
          return err.outcome as R;
        }
      });
    } catch (err) {
      if (err instanceof Rollback) return err.outcome as R;
      throw translated(err);
    }
  }

  /** The metadata store migrates (glossary tables included) before its first statement: a ping is one. */
  private ready(): Promise<void> {
    this.schema ??= this.meta.ping().catch((err: unknown) => {
      this.schema = undefined;
      throw err;
    });
    return this.schema;
  }
}

async function drive<R>(program: Program<R>, db: pg.Pool | pg.PoolClient): Promise<R> {
  let step = program.next();
  while (!step.done) step = program.next(await execute(db, step.value));
  return step.value;
}

async function execute(db: pg.Pool | pg.PoolClient, statement: Statement): Promise<Row[]> {
  const result = await db.query<Row>(numbered(statement.sql), statement.params as unknown[]);
  return result.rows;
}

/** `?` → `$1`, `$2`, …: the shared SQL has no `?` anywhere else (no literals or operators with one). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
