import pg from 'pg';
import { isUnavailable } from './postgres-errors.js';

/** What the pool reports that no caller is waiting for: an idle connection that the server dropped. */
export type PoolErrorListener = (err: Error) => void;

export interface PgPoolOptions {
  /** Connections per instance: N instances × max must stay under the server's max_connections. */
  max: number;
  /** Bounds both a new connection and the wait for a free one, so an outage fails fast. */
  connectionTimeoutMillis: number;
  /** Server side: a statement running longer is cancelled. */
  statementTimeoutMs: number;
}

export const defaultPgPoolOptions: Readonly<PgPoolOptions> = { max: 10, connectionTimeoutMillis: 2000, statementTimeoutMs: 5000 };

/**
 * The one way this project opens PostgreSQL: PostgresMetaStore and the S3 store's blob ledger
 * share the pool that `PostgresMetaStore.pool` exposes (one pool per process, one budget of
 * connections). Every wait is bounded: connecting and queueing by `connectionTimeoutMillis`, a
 * statement by `statement_timeout` on the server and, should the server not answer at all,
 * `query_timeout` on the client a second later.
 *
 * An idle client whose connection the server closes (a restart, a failover) makes the pool emit
 * 'error'; unheard, that would end the process, so it goes to `onIdleError` and the pool simply
 * opens a new connection next time.
 */
export function createPgPool(url: string, onIdleError: PoolErrorListener, options: Readonly<PgPoolOptions> = defaultPgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMillis,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    keepAlive: true,
    application_name: 'lingo-server',
  });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * Runs `work` on one connection inside BEGIN … COMMIT. When it throws: a statement error rolls
 * back and the connection goes back to the pool; an outage destroys the connection at once (the
 * server rolls back a transaction whose connection is gone), so the caller hears of it without
 * waiting for a ROLLBACK that cannot be answered. While checked out, the connection's 'error'
 * events (the server went away between two statements) are heard here: the pool listens only to
 * idle ones.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => {};
  client.on('error', ignore);
  let destroy = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    destroy =
      isUnavailable(err) ||
      !(await client.query('ROLLBACK').then(
        () => true,
        () => false,
      ));
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(destroy);
  }
}
