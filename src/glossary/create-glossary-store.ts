import type { MetaStore } from '../meta/meta-store.js';
import { PostgresMetaStore } from '../meta/postgres-meta-store.js';
import { SqliteMetaStore } from '../meta/sqlite-meta-store.js';
import type { GlossaryCopy } from './glossary-copy.js';
import type { GlossaryStore } from './glossary-store.js';
import { PostgresGlossaryStore } from './postgres-glossary-store.js';
import { SqliteGlossaryStore } from './sqlite-glossary-store.js';

/**
 * The glossary lives in the metadata store's database, on its connection or pool: one backend to
 * configure, and nothing of its own to close (closing `meta` ends both).
 */
export function createGlossaryStore(meta: MetaStore): GlossaryStore {
  return glossaryOn(meta);
}

/** The glossary's tables as rows, for migrate: the same classes, seen through their copy interface. */
export function createGlossaryCopy(meta: MetaStore): GlossaryCopy {
  return glossaryOn(meta);
}

function glossaryOn(meta: MetaStore): GlossaryStore & GlossaryCopy {
  if (meta instanceof SqliteMetaStore) return new SqliteGlossaryStore(meta.database);
  if (meta instanceof PostgresMetaStore) return new PostgresGlossaryStore(meta);
  throw new Error(`no glossary store for a ${meta.constructor.name}`);
}
