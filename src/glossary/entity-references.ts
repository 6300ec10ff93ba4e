import type { MetaStore } from '../meta/meta-store.js';
import type { GlossaryStore } from './glossary-store.js';
import { entitySeqOf, type ClassificationRecord, type EntityContent } from './model.js';
import { Violations } from './wire/body-fields.js';

export interface ReferenceStores {
  meta: Pick<MetaStore, 'findFile'>;
  glossary: Pick<GlossaryStore, 'findClassifications' | 'findEntity'>;
}

/** Lookups in flight at once for one body: enough to hide round trips, few enough to share a pool. */
const lookupConcurrency = 8;
const classificationsPerQuery = 500;

/**
 * The rules of spec §3 that need the database, checked after parseEntityBody:
 * - every `related_meta.images[i].token` is a file uploaded by this tenant (an unknown token and
 *   another tenant's look the same: neither exists for this caller);
 * - every classification exists in the entity's repo and is second-level, at most one per
 *   first-level parent; its `fatherId` is filled in from the store;
 * - every abbreviation names an entity of this tenant.
 * All violations in one 400. Returns the content with the parents filled in.
 */
export async function checkReferences(content: EntityContent, scope: { tenantKey: string; repoId: string }, stores: ReferenceStores): Promise<EntityContent> {
  const out = new Violations();
  const meta = content.relatedMeta;

  const images = await lookUp(
    meta.images.map((i) => i.token),
    (token) => stores.meta.findFile(scope.tenantKey, token),
  );
  meta.images.forEach((image, i) => {
    if (!images.get(image.token)) out.add(`related_meta.images[${i}].token`, 'is not a file_token uploaded by this tenant');
  });

  const found = new Map<string, ClassificationRecord>();
  const ids = meta.classifications.map((c) => c.id);
  // In slices: the body cap allows thousands, more than a portable SQL IN list should carry.
  for (let i = 0; i < ids.length; i += classificationsPerQuery) {
    for (const c of await stores.glossary.findClassifications(scope.repoId, ids.slice(i, i + classificationsPerQuery))) found.set(c.id, c);
  }
  const parentTakenBy = new Map<string, number>();
  const classifications = meta.classifications.map((c, i) => {
    const field = `related_meta.classifications[${i}].id`;
    const record = found.get(c.id);
    if (record === undefined) {
      out.add(field, 'is not a classification of this repo');
      return c;
    }
    if (record.fatherId === null) {
      out.add(field, 'is a first-level classification; only second-level ones can be set');
      return c;
    }
    const earlier = parentTakenBy.get(record.fatherId);
    if (earlier !== undefined) {
      out.add(field, `has the same first-level parent (${record.fatherId}) as related_meta.classifications[${earlier}]; at most one per parent`);
    } else parentTakenBy.set(record.fatherId, i);
    return { id: c.id, fatherId: record.fatherId };
  });

  const entities = await lookUp(
    meta.abbreviations.flatMap((a) => (a.id === undefined ? [] : [a.id])),
    (id) => {
      const seq = entitySeqOf(id);
      return seq === undefined ? Promise.resolve(undefined) : stores.glossary.findEntity(scope.tenantKey, seq);
    },
  );
  meta.abbreviations.forEach((a, i) => {
    if (a.id !== undefined && !entities.get(a.id)) out.add(`related_meta.abbreviations[${i}].id`, 'is not an entity of this tenant');
  });

  out.throwIfAny();
  return { ...content, relatedMeta: { ...meta, classifications } };
}

/** `find` for each distinct key, at most `lookupConcurrency` at a time. */
async function lookUp<T>(keys: readonly string[], find: (key: string) => Promise<T>): Promise<Map<string, T>> {
  const distinct = [...new Set(keys)];
  const results = new Map<string, T>();
  for (let i = 0; i < distinct.length; i += lookupConcurrency) {
    const batch = distinct.slice(i, i + lookupConcurrency);
    const values = await Promise.all(batch.map(find));
    batch.forEach((key, j) => results.set(key, values[j] as T));
  }
  return results;
}
