import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface TempMetaStore {
  /** The directory that holds the database file and its WAL. */
  readonly dir: string;
  readonly file: string;
  /** The store opened for the current test. */
  readonly meta: SqliteMetaStore;
  /** Closes the store and opens its file again, as the next process would. */
  reopen(): Promise<SqliteMetaStore>;
}

/**
 * Gives each test of the enclosing block its own SqliteMetaStore in a fresh temp dir, closed and
 * removed after the test: no test sees rows another one wrote.
 */
export function useTempMetaStore(label: string): TempMetaStore {
  let dir: string | undefined;
  let meta: SqliteMetaStore | undefined;
  const current = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the temp meta store exists only while a test runs');
    return value;
  };
  beforeEach(() => {
    dir = makeTempDir(label);
    meta = new SqliteMetaStore(path.join(dir, 'm.sqlite'));
  });
  afterEach(async () => {
    await meta?.close();
    if (dir) removeDir(dir);
    meta = dir = undefined;
  });
  return {
    get dir() {
      return current(dir);
    },
    get file() {
      return path.join(current(dir), 'm.sqlite');
    },
    get meta() {
      return current(meta);
    },
    async reopen() {
      const file = this.file;
      await current(meta).close();
      meta = undefined;
      meta = new SqliteMetaStore(file);
      return meta;
    },
  };
}
