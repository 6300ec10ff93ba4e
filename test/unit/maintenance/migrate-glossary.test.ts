import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGlossaryCopy, createGlossaryStore } from '../../../src/glossary/create-glossary-store.js';
import { glossaryTables, type CopyRow, type GlossaryCopy, type GlossaryTable } from '../../../src/glossary/glossary-copy.js';
import type { GlossaryStore } from '../../../src/glossary/glossary-store.js';
import { emptyGlossaryReport, migrateGlossary, type GlossaryConflict, type GlossaryReport } from '../../../src/maintenance/migrate-glossary.js';
import type { MetaStore } from '../../../src/meta/meta-store.js';
import {
  content,
  entityRow,
  inserted,
  postgresGlossarySpace,
  relatedMeta,
  searchFor,
  sqliteGlossarySpace,
  t0,
  term,
  type GlossarySpace,
} from '../../helpers/glossary.js';
import { describeWithServices, type ServiceName } from '../../helpers/services.js';

const destinations: Array<{ name: string; needs: readonly ServiceName[]; space: () => Promise<GlossarySpace> }> = [
  { name: 'SQLite', needs: [], space: sqliteGlossarySpace },
  { name: 'PostgreSQL', needs: ['postgres'], space: postgresGlossarySpace },
];

const tables = Object.keys(glossaryTables) as GlossaryTable[];

/** Every row of every glossary table, in key order. */
async function dump(copy: GlossaryCopy): Promise<Record<GlossaryTable, CopyRow[]>> {
  const out = {} as Record<GlossaryTable, CopyRow[]>;
  for (const table of tables) out[table] = await copy.readRows(table, null, 100_000);
  return out;
}

/** A glossary with a row in every table: two tenants, two repos (one granted), both classification levels, drafts in each state, a deleted entity. */
async function fill(g: GlossaryStore, entities: number): Promise<{ deletedSeq: string }> {
  const company = await g.companyRepo('t1');
  const team = await g.createRepo('t1', 'Team');
  await g.grantRepo(team.id, 'cli_a');
  const tech = await g.createClassification({ repoId: company.id, name: 'Tech', fatherId: null, i18nNames: [{ language: 2, name: 'Tech' }] });
  const ai = await g.createClassification({ repoId: company.id, name: 'AI', fatherId: tech.id, i18nNames: [] });
  const first = inserted(
    await g.insertEntity(
      entityRow(
        't1',
        company.id,
        content('KYC', {
          aliases: [term('Know your customer'), term('hidden', { highlight: false })],
          relatedMeta: relatedMeta({ images: [{ token: 'boxbcImage1' }], classifications: [{ id: ai.id, fatherId: tech.id }] }),
          outerInfo: { provider: 'crm', outerId: 'c1' },
        }),
      ),
    ),
  );
  for (let i = 1; i < entities; i++) inserted(await g.insertEntity(entityRow('t1', company.id, content(`word${i}`, { aliases: [term(`alias${i}`)] }))));
  inserted(await g.insertEntity(entityRow('t1', team.id, content('team word'))));
  inserted(await g.insertEntity(entityRow('t2', (await g.companyRepo('t2')).id, content('other tenant'))));
  const draft = (target: string | null, key: string) =>
    g.insertDraft({
      tenantKey: 't1',
      repoId: company.id,
      targetSeq: target,
      content: content(key),
      creator: 'ou_1',
      appId: 'cli_a',
      createdAtMs: t0,
      updatedAtMs: t0,
    });
  await draft(null, 'pending new');
  await draft(first.seq, 'KYC');
  await g.reviewDraft((await draft(null, 'approved new')).draftId, 'approved', t0 + 1000);
  await g.reviewDraft((await draft(null, 'rejected')).draftId, 'rejected', t0 + 1000);
  // Last, so that the highest seq ever given is a deleted entity's.
  const gone = inserted(await g.insertEntity(entityRow('t1', company.id, content('gone'))));
  await g.deleteEntity('t1', gone.seq);
  await g.pageTokenKey();
  return { deletedSeq: gone.seq };
}

for (const destination of destinations) {
  describeWithServices(destination.needs, `migrate the glossary from SQLite into ${destination.name}`, () => {
    let source: GlossarySpace;
    let target: GlossarySpace;
    let metas: MetaStore[];
    const open = (space: GlossarySpace): { store: GlossaryStore; copy: GlossaryCopy } => {
      const meta = space.open();
      metas.push(meta);
      return { store: createGlossaryStore(meta), copy: createGlossaryCopy(meta) };
    };
    const run = async (from: GlossaryCopy, to: GlossaryCopy, entitiesPerBatch = 200) => {
      const out = { counts: emptyGlossaryReport(), conflicts: [] as GlossaryConflict[], progress: () => {} };
      await migrateGlossary(from, to, out, { rows: 3, entities: entitiesPerBatch });
      return out;
    };
    /** Rows per table of a dump, as counts a first run should report. */
    const copiedAll = (rows: Record<GlossaryTable, CopyRow[]>): GlossaryReport =>
      Object.fromEntries(tables.map((t) => [t, { copied: rows[t].length, skipped: 0, conflicts: 0 }])) as GlossaryReport;

    beforeEach(async () => {
      metas = [];
      source = await sqliteGlossarySpace();
      target = await destination.space();
    });
    afterEach(async () => {
      await Promise.all(metas.map((m) => m.close()));
      await source.remove();
      await target.remove();
    });

    it('copies every table row for row, ids and page-token key included; a second run copies nothing', async () => {
      const from = open(source);
      await fill(from.store, 5);
      const to = open(target);
      const rows = await dump(from.copy);
      for (const table of tables) expect(rows[table].length, `the fixture has ${table} rows`).toBeGreaterThan(0);

      const first = await run(from.copy, to.copy);
      expect(first.counts).toEqual(copiedAll(rows));
      expect(first.conflicts).toEqual([]);
      expect(await dump(to.copy)).toEqual(rows);
      expect((await to.store.pageTokenKey()).equals(await from.store.pageTokenKey())).toBe(true);

      const second = await run(from.copy, to.copy);
      expect(second.counts).toEqual(Object.fromEntries(tables.map((t) => [t, { copied: 0, skipped: rows[t].length, conflicts: 0 }])));
      expect(await dump(to.copy)).toEqual(rows);
    });

    it('the copy serves as the source did: reads, match, search, highlight, and no id is ever given twice', async () => {
      const from = open(source);
      const { deletedSeq } = await fill(from.store, 5);
      const to = open(target);
      await run(from.copy, to.copy);

      const repo = await to.store.companyRepo('t1');
      expect(repo).toEqual(await from.store.companyRepo('t1'));
      expect(await to.store.listRepos('t1', 'cli_a')).toEqual(await from.store.listRepos('t1', 'cli_a'));
      expect(await to.store.findEntityByOuterInfo('t1', { provider: 'crm', outerId: 'c1' })).toEqual(
        await from.store.findEntityByOuterInfo('t1', { provider: 'crm', outerId: 'c1' }),
      );
      expect(await to.store.matchEntities('t1', repo.id, 'Know your customer')).toEqual(await from.store.matchEntities('t1', repo.id, 'Know your customer'));
      const search = searchFor('t1', repo.id, 'alias');
      expect(await to.store.searchEntities(search, null, 50)).toEqual(await from.store.searchEntities(search, null, 50));
      expect(await to.store.glossaryVersion('t1')).toBe(await from.store.glossaryVersion('t1'));
      expect(await to.store.highlightChangesSince('t1', 0)).toEqual(await from.store.highlightChangesSince('t1', 0));
      expect(await to.store.listDrafts('t1', null)).toEqual(await from.store.listDrafts('t1', null));

      // New rows take ids after every id the source gave, the deleted entity's included.
      const fresh = inserted(await to.store.insertEntity(entityRow('t1', repo.id, content('new after the move'))));
      expect(Number(fresh.seq)).toBe(Number(deletedSeq) + 1);
      const maxOf = async (table: GlossaryTable, column: string) => Math.max(...(await from.copy.readRows(table, null, 1000)).map((r) => r[column] as number));
      expect(Number((await to.store.createRepo('t1', 'Later')).id)).toBeGreaterThan(await maxOf('repos', 'id'));
      const later = await to.store.createClassification({ repoId: repo.id, name: 'Later', fatherId: null, i18nNames: [] });
      expect(Number(later.id)).toBeGreaterThan(await maxOf('classifications', 'id'));
      const draft = await to.store.insertDraft({
        tenantKey: 't1',
        repoId: repo.id,
        targetSeq: null,
        content: content('later'),
        creator: 'ou_1',
        appId: 'cli_a',
        createdAtMs: t0,
        updatedAtMs: t0,
      });
      expect(Number(draft.draftId)).toBeGreaterThan(await maxOf('drafts', 'draft_id'));
    });

    it('a run that fails part-way (the destination goes down) leaves whole entities, and the next run completes it', async () => {
      const from = open(source);
      await fill(from.store, 7);
      const to = open(target);
      let writes = 0;
      const failing: GlossaryCopy = Object.assign(Object.create(to.copy) as GlossaryCopy, {
        writeEntities: (...args: Parameters<GlossaryCopy['writeEntities']>) =>
          ++writes > 2 ? Promise.reject(new Error('destination went down')) : to.copy.writeEntities(...args),
      });
      await expect(run(from.copy, failing, 2)).rejects.toThrow('destination went down');
      const partial = await dump(to.copy);
      expect(partial.entities.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      const sourceRows = await dump(from.copy);
      for (const part of ['entity_terms', 'entity_images', 'entity_classifications'] as const) {
        expect(partial[part], part).toEqual(sourceRows[part].filter((r) => (r.seq as number) <= 4));
      }

      const rerun = await run(from.copy, to.copy, 2);
      expect(rerun.counts.entities).toEqual({ copied: sourceRows.entities.length - 4, skipped: 4, conflicts: 0 });
      expect(await dump(to.copy)).toEqual(sourceRows);
    });

    it('a destination that already holds other rows under the same ids: conflicts named, the copy stops after that table', async () => {
      const to = open(target);
      // A server on the destination made tenant tX's company-wide repo (id 1) and an entity (seq 1).
      const theirs = await to.store.companyRepo('tX');
      inserted(await to.store.insertEntity(entityRow('tX', theirs.id, content('theirs'))));
      const from = open(source);
      await fill(from.store, 3);

      const out = await run(from.copy, to.copy);
      expect(out.conflicts).toContainEqual({ table: 'repos', key: { id: 1 } });
      expect(out.counts.repos.conflicts).toBeGreaterThan(0);
      for (const table of tables.slice(tables.indexOf('repos') + 1)) expect(out.counts[table], table).toEqual({ copied: 0, skipped: 0, conflicts: 0 });
      const after = await dump(to.copy);
      expect(after.entities.map((e) => e.tenant_key)).toEqual(['tX']);
      expect(await to.store.findEntity('tX', '1')).toMatchObject({ content: { mainKeys: [{ key: 'theirs' }] } });
    });
  });
}
