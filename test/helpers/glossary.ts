import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import { createGlossaryStore } from '../../src/glossary/create-glossary-store.js';
import type { EntitySearchQuery, GlossaryStore } from '../../src/glossary/glossary-store.js';
import type { EntityContent, EntityRecord, RelatedMeta, Term } from '../../src/glossary/model.js';
import type { MetaStore } from '../../src/meta/meta-store.js';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';
import { createTestSchema, openPostgresMetaStore } from './postgres-schema.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** Where one test's glossary lives: every store opened on it shares the rows (another process, another instance). */
export interface GlossarySpace {
  open(): MetaStore;
  /** One statement run directly on the database, `?` placeholders: checks the interface does not offer. */
  query<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R[]>;
  remove(): Promise<void>;
}

export async function sqliteGlossarySpace(): Promise<GlossarySpace> {
  const dir = makeTempDir('glossary');
  const file = path.join(dir, 'm.sqlite');
  return {
    open: () => new SqliteMetaStore(file),
    async query<R>(sql: string, ...params: unknown[]) {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as R[];
      } finally {
        db.close();
      }
    },
    remove: async () => removeDir(dir),
  };
}

export async function postgresGlossarySpace(): Promise<GlossarySpace> {
  const schema = await createTestSchema('lingo_glossary_');
  return {
    open: () => openPostgresMetaStore(schema.url),
    query: <R>(sql: string, ...params: unknown[]) => {
      let n = 0;
      return schema.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      ) as Promise<R[]>;
    },
    remove: () => schema.drop(),
  };
}

export interface GlossaryStores {
  readonly space: GlossarySpace;
  /** A glossary store on this test's rows (its own connection or pool), closed after the test. */
  open(): GlossaryStore;
}

/** A fresh space per test of the enclosing block, removed after it with every store opened on it. */
export function useGlossaryStores(newSpace: () => Promise<GlossarySpace>): GlossaryStores {
  let space: GlossarySpace | undefined;
  let metas: MetaStore[] = [];
  beforeEach(async () => {
    space = await newSpace();
    metas = [];
  });
  afterEach(async () => {
    await Promise.all(metas.map((m) => m.close()));
    await space?.remove();
    space = undefined;
  });
  return {
    get space() {
      if (!space) throw new Error('the glossary space exists only while a test runs');
      return space;
    },
    open() {
      if (!space) throw new Error('the glossary space exists only while a test runs');
      const meta = space.open();
      metas.push(meta);
      return createGlossaryStore(meta);
    },
  };
}

export const t0 = Date.UTC(2026, 0, 1);

export function term(key: string, display: { search?: boolean; highlight?: boolean } = {}): Term {
  return { key, displayStatus: { allowSearch: display.search ?? true, allowHighlight: display.highlight ?? true } };
}

export function relatedMeta(extra: Partial<RelatedMeta> = {}): RelatedMeta {
  return { users: [], chats: [], docs: [], oncalls: [], links: [], abbreviations: [], classifications: [], images: [], ...extra };
}

/** A valid content with main key `main`, its description `<main> is a term`; `extra` replaces fields. */
export function content(main: string | Term, extra: Partial<EntityContent> = {}): EntityContent {
  const mainKey = typeof main === 'string' ? term(main) : main;
  return {
    mainKeys: [mainKey],
    fullNames: null,
    aliases: [],
    description: `${mainKey.key} is a term`,
    richText: `<p><b>${mainKey.key}</b><span> is a term</span></p>`,
    relatedMeta: relatedMeta(),
    outerInfo: null,
    i18nDescs: [],
    ...extra,
  };
}

/** An entity row of `tenantKey` in `repoId` as the create route would make it. */
export function entityRow(tenantKey: string, repoId: string, c: EntityContent, extra: Partial<Omit<EntityRecord, 'seq'>> = {}): Omit<EntityRecord, 'seq'> {
  return { tenantKey, repoId, content: c, creator: 'cli_a', updater: 'cli_a', createdAtMs: t0, updatedAtMs: t0, source: 4, ...extra };
}

/** The record a write answered, failing the test on any other outcome. */
export function inserted(write: EntityRecord | 'outer-info-taken' | 'missing'): EntityRecord {
  if (typeof write === 'string') throw new Error(`unexpected ${write}`);
  return write;
}

/** A search of one repo with `query` and no filters unless `extra` sets them. */
export function searchFor(tenantKey: string, repoId: string, query: string | null, extra: Partial<EntitySearchQuery> = {}): EntitySearchQuery {
  return { tenantKey, repoId, query, classificationInclude: [], classificationExclude: [], sources: [], creators: [], ...extra };
}
