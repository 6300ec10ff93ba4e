import pg from 'pg';
import { ConfigError } from '../config/config.js';
import { withoutUrlPassword } from '../config/setting-kinds.js';

/**
 * PostgreSQL did not answer (down, restarting, unreachable, too slow). The request fails, as any
 * unexpected error does, with 500 2250002; the pool reconnects by itself once the server is back.
 */
export class MetaStoreUnavailableError extends Error {
  override readonly name = 'MetaStoreUnavailableError';
}

/**
 * SQLSTATEs that say the server, not the statement, failed: 08 connection exceptions, 53300 too
 * many connections, 57014 a statement cancelled by statement_timeout, 57P01–57P03 shutdown,
 * crash recovery and "cannot connect now" (starting up).
 */
const unavailableSqlStates = /^(08...|53300|57014|57P0[1-3])$/;

/**
 * Whether `err` means "PostgreSQL is not answering" rather than "this statement is wrong". The
 * driver's own errors without a SQLSTATE (socket errors, "Connection terminated unexpectedly",
 * "timeout exceeded when trying to connect", "Query read timeout") all mean the former.
 */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return unavailableSqlStates.test(err.code ?? '');
  // A TypeError or RangeError is a bug on our side (a value the driver cannot send), not an outage.
  return err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError);
}

/** The error a caller sees: outages as MetaStoreUnavailableError (cause kept), the rest unchanged. */
export function translated(err: unknown): unknown {
  if (err instanceof MetaStoreUnavailableError || !isUnavailable(err)) return err;
  return new MetaStoreUnavailableError(`PostgreSQL unavailable: ${(err as Error).message}`, { cause: err });
}

/** Refused at the door: a wrong user or password (class 28), no such database (3D000). */
const refusedSqlStates = /^(28...|3D000)$/;

/** Whether the first connection of a process failed for a reason the URL (or the server's state) explains. */
export function cannotConnect(err: unknown): boolean {
  return isUnavailable(err) || (err instanceof pg.DatabaseError && refusedSqlStates.test(err.code ?? ''));
}

/**
 * The first connection failed: the setting is what the user must look at (exit status 2). The
 * URL is shown without its password.
 */
export function unreachableAtStart(url: string, err: unknown): ConfigError {
  const reason = err instanceof AggregateError ? err.errors.map((e: Error) => e.message).join('; ') : (err as Error).message || String(err);
  return new ConfigError(`--postgres-url: cannot connect to PostgreSQL at ${withoutUrlPassword(url)} (${reason})`, { cause: err });
}
