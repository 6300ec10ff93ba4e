import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../../src/errors/catalogue.js';
import { LingoError } from '../../../src/errors/lingo-error.js';
import { checkReferences, type ReferenceStores } from '../../../src/glossary/entity-references.js';
import type { ClassificationRecord, EntityContent, EntityRecord, RelatedMeta } from '../../../src/glossary/model.js';
import type { FileRow } from '../../../src/meta/meta-store.js';
import { useTempMetaStore } from '../../helpers/meta-store.js';

/**
 * Files come from a real SqliteMetaStore. Classifications and entities come from a small
 * hand-written map, which is enough at this level: the e2e suite runs the real glossary store.
 */
const store = useTempMetaStore('entity-refs');

const scope = { tenantKey: 'tenant_a', repoId: '1' };

function fileRow(token: string, tenantKey: string): FileRow {
  return {
    fileToken: token,
    tenantKey,
    appId: 'cli_a',
    name: 'a.png',
    blobKey: `blob-${token}`,
    sizeBytes: 10,
    sha256: 'a'.repeat(64),
    format: 'png',
    mime: 'image/png',
    width: 1,
    height: 1,
    createdAtMs: 0,
  };
}

const classifications: ClassificationRecord[] = [
  { id: '10', repoId: '1', name: 'Top A', fatherId: null, i18nNames: [] },
  { id: '11', repoId: '1', name: 'A.1', fatherId: '10', i18nNames: [] },
  { id: '12', repoId: '1', name: 'A.2', fatherId: '10', i18nNames: [] },
  { id: '20', repoId: '1', name: 'Top B', fatherId: null, i18nNames: [] },
  { id: '21', repoId: '1', name: 'B.1', fatherId: '20', i18nNames: [] },
  { id: '31', repoId: '2', name: 'other repo', fatherId: '30', i18nNames: [] },
];

/** Seqs of the entities that exist, per tenant. */
const entities: Record<string, string[]> = { tenant_a: ['5', '6'], tenant_b: ['7'] };

function stores(): ReferenceStores & { classificationQueries: string[][] } {
  const classificationQueries: string[][] = [];
  return {
    classificationQueries,
    meta: store.meta,
    glossary: {
      async findClassifications(repoId, ids) {
        classificationQueries.push([...ids]);
        return classifications.filter((c) => c.repoId === repoId && ids.includes(c.id));
      },
      async findEntity(tenantKey, seq) {
        return entities[tenantKey]?.includes(seq) ? ({ seq, tenantKey } as EntityRecord) : undefined;
      },
    },
  };
}

function withMeta(meta: Partial<RelatedMeta>): EntityContent {
  return {
    mainKeys: [{ key: 'K', displayStatus: { allowHighlight: true, allowSearch: true } }],
    fullNames: null,
    aliases: [],
    description: 'd',
    richText: '<p>d</p>',
    relatedMeta: { users: [], chats: [], docs: [], oncalls: [], links: [], abbreviations: [], classifications: [], images: [], ...meta },
    outerInfo: null,
    i18nDescs: [],
  };
}

async function violations(content: EntityContent, s: ReferenceStores = stores()): Promise<FieldViolation[]> {
  try {
    await checkReferences(content, scope, s);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(LingoError);
    expect((err as LingoError).key).toBe('invalidParam');
    return (err as LingoError).details.fieldViolations ?? [];
  }
}

describe('checkReferences', () => {
  it('passes content whose references all hold, filling in the classification parents', async () => {
    await store.meta.insertFile(fileRow('boxbcMine', 'tenant_a'));
    const checked = await checkReferences(
      withMeta({
        images: [{ token: 'boxbcMine' }, { token: 'boxbcMine' }],
        classifications: [{ id: '11' }, { id: '21' }],
        abbreviations: [{ id: 'enterprise_5' }, {}],
      }),
      scope,
      stores(),
    );
    expect(checked.relatedMeta.classifications).toEqual([
      { id: '11', fatherId: '10' },
      { id: '21', fatherId: '20' },
    ]);
    expect(checked.relatedMeta.images).toHaveLength(2);
  });

  it("refuses an unknown image token and another tenant's, on the item's token", async () => {
    await store.meta.insertFile(fileRow('boxbcMine', 'tenant_a'));
    await store.meta.insertFile(fileRow('boxbcTheirs', 'tenant_b'));
    expect(await violations(withMeta({ images: [{ token: 'boxbcMine' }, { token: 'boxbcTheirs' }, { token: 'boxbcNobody' }] }))).toEqual([
      { field: 'related_meta.images[1].token', description: 'is not a file_token uploaded by this tenant' },
      { field: 'related_meta.images[2].token', description: 'is not a file_token uploaded by this tenant' },
    ]);
  });

  it('refuses unknown, first-level, other-repo and same-parent classifications', async () => {
    const found = await violations(withMeta({ classifications: [{ id: '11' }, { id: '10' }, { id: '99' }, { id: '31' }, { id: '12' }, { id: '21' }] }));
    expect(found.map((v) => v.field)).toEqual([
      'related_meta.classifications[1].id',
      'related_meta.classifications[2].id',
      'related_meta.classifications[3].id',
      'related_meta.classifications[4].id',
    ]);
    expect(found[0]!.description).toMatch(/first-level/);
    expect(found[1]!.description).toMatch(/not a classification of this repo/);
    expect(found[3]!.description).toMatch(/same first-level parent \(10\) as related_meta\.classifications\[0\]/);
  });

  it("refuses abbreviations that name no entity of this tenant, another tenant's included", async () => {
    expect(await violations(withMeta({ abbreviations: [{ id: 'enterprise_5' }, { id: 'enterprise_7' }, { id: 'enterprise_8' }] }))).toEqual([
      { field: 'related_meta.abbreviations[1].id', description: 'is not an entity of this tenant' },
      { field: 'related_meta.abbreviations[2].id', description: 'is not an entity of this tenant' },
    ]);
  });

  it('reports the violations of all three kinds in one error', async () => {
    const found = await violations(withMeta({ images: [{ token: 'nope' }], classifications: [{ id: '10' }], abbreviations: [{ id: 'enterprise_99' }] }));
    expect(found.map((v) => v.field)).toEqual(['related_meta.images[0].token', 'related_meta.classifications[0].id', 'related_meta.abbreviations[0].id']);
  });

  it('asks for many classifications in bounded slices', async () => {
    const s = stores();
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: String(1000 + i) }));
    const found = await violations(withMeta({ classifications: many }), s);
    expect(found).toHaveLength(1200);
    expect(s.classificationQueries.map((q) => q.length)).toEqual([500, 500, 200]);
  });

  it('asks the stores nothing for content without references', async () => {
    const s = stores();
    await checkReferences(withMeta({}), scope, s);
    expect(s.classificationQueries).toEqual([]);
  });
});
