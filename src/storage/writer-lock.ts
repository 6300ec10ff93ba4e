import Database from 'better-sqlite3';

/**
 * One process writes a data dir: the writer holds an exclusive SQLite lock on a lock file, which
 * the OS releases when the process dies (no stale lock after a crash). Returns undefined when
 * another process holds it.
 */
export function tryTakeWriterLock(file: string): { release(): void } | undefined {
  const lock = new Database(file, { timeout: 0 });
  try {
    // EXCLUSIVE locking mode keeps the lock from the first write until the connection closes.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  }
  return { release: () => lock.close() };
}
