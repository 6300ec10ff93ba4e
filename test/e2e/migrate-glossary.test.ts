import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, expect, it } from 'vitest';
import { glossaryTables, type GlossaryTable } from '../../src/glossary/glossary-copy.js';
import { distinctImage } from '../helpers/hostile.js';
import { downloadPath, filePart, namePart, postJson, rawUpload, request, tenantTokenPath } from '../helpers/http.js';
import { cli, cliDestinations, migrateJson, serveDestination } from '../helpers/migrate-cli.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { describeWithServices } from '../helpers/services.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const scopes = ['baike:entity', 'baike:entity:exempt_review', 'baike:entity:exempt_delete'];
const term = (key: string) => ({ key, display_status: { allow_highlight: true, allow_search: true } });

/** The SDK's JSON methods resolve with the whole body; anything but code 0 fails the test here. */
function ok<T extends { code?: number; msg?: string; data?: unknown }>(body: T): NonNullable<T['data']> {
  expect(body.code, body.msg).toBe(0);
  return body.data as NonNullable<T['data']>;
}

/** What a source server held before the move, as its clients saw it. */
interface Before {
  entityId: string;
  entity: unknown;
  pageToken: string;
  secondPage: unknown;
  highlight: unknown;
  repos: unknown;
  classifications: unknown;
  pendingDraftId: string;
  deletedSeq: number;
  fileToken: string;
  image: Buffer;
}

/** Entities (one with an image, a classification and outer_info; one in a granted repo; one deleted), drafts, paging. */
async function fillSource(server: ServerWithApp): Promise<Before> {
  const { client, creds } = server;
  const tenant = creds.tenant_key;
  const company = await server.app.glossary.companyRepo(tenant);
  const team = await server.app.glossary.createRepo(tenant, 'Team');
  await server.app.glossary.grantRepo(team.id, creds.app_id);
  const tech = await server.app.glossary.createClassification({ repoId: company.id, name: 'Tech', fatherId: null, i18nNames: [] });
  const ai = await server.app.glossary.createClassification({ repoId: company.id, name: 'AI', fatherId: tech.id, i18nNames: [] });
  const image = await distinctImage(4 * 1024);
  const up = await rawUpload(server.baseUrl, server.token, [namePart('kyc.png'), filePart(image)]);
  expect(up.status, up.body.toString()).toBe(200);
  const fileToken = up.json().data.file_token as string;

  const first = ok(
    await client.lingo.v1.entity.create({
      data: {
        main_keys: [term('KYC')],
        aliases: [term('Know your customer')],
        description: 'identity checks',
        related_meta: { images: [{ token: fileToken }], classifications: [{ id: ai.id }] },
        outer_info: { provider: 'crm', outer_id: 'c1' },
      },
    }),
  ).entity!;
  for (const key of ['alpha', 'beta', 'gamma', 'delta']) ok(await client.lingo.v1.entity.create({ data: { main_keys: [term(key)], description: key } }));
  ok(await client.lingo.v1.entity.create({ data: { main_keys: [term('team only')], description: 'team' }, params: { repo_id: team.id } }));
  const gone = ok(await client.lingo.v1.entity.create({ data: { main_keys: [term('gone')], description: 'deleted' } })).entity!;
  ok(await client.lingo.v1.entity.delete({ path: { entity_id: gone.id! } }));

  const firstPage = ok(await client.lingo.v1.entity.list({ params: { page_size: 2 } }));
  expect(firstPage.has_more).toBe(true);
  const pageToken = firstPage.page_token!;
  const secondPage = ok(await client.lingo.v1.entity.list({ params: { page_size: 2, page_token: pageToken } }));
  const draft = ok(await client.lingo.v1.draft.create({ data: { id: first.id, main_keys: [term('KYC')], description: 'proposed' } })).draft!;
  return {
    entityId: first.id!,
    entity: ok(await client.lingo.v1.entity.get({ path: { entity_id: first.id! } })).entity,
    pageToken,
    secondPage,
    highlight: ok(await client.lingo.v1.entity.highlight({ data: { text: 'alpha, KYC and beta' } })),
    repos: ok(await client.lingo.v1.repo.list({})),
    classifications: ok(await client.lingo.v1.classification.list({ params: {} })),
    pendingDraftId: draft.draft_id!,
    deletedSeq: Number(gone.id!.slice('enterprise_'.length)),
    fileToken,
    image,
  };
}

// The embedded destination and PostgreSQL + S3: the glossary's two SQL backends.
for (const destination of cliDestinations.filter((d) => !d.name.includes('every blob a file'))) {
  describeWithServices(destination.needs, `lingo-server migrate moves the glossary into ${destination.name}`, () => {
    it('entities, drafts, repos and classifications keep their ids: old entity ids, page tokens and pending drafts work there', async () => {
      const dataDir = makeTempDir('migrate-glossary-from');
      cleanups.push(() => removeDir(dataDir));
      const server = await startServerWithApp({ dataDir }, { scopes });
      cleanups.push(() => server.app.close());
      const before = await fillSource(server);
      await server.app.close();
      const to = await destination.create();
      cleanups.push(() => to.remove());

      const run = await cli(['migrate', '--data-dir', dataDir, ...to.migrateArgs, '--json']);
      expect(run.status, run.stderr).toBe(0);
      const report = migrateJson(run);
      expect(report.glossaryConflicts).toEqual([]);
      expect(report.glossary.entities).toEqual({ copied: 6, skipped: 0, conflicts: 0 });
      expect(report.glossary.repos).toEqual({ copied: 2, skipped: 0, conflicts: 0 });
      expect(report.glossary.drafts).toEqual({ copied: 1, skipped: 0, conflicts: 0 });
      expect(report.glossary.server_keys).toEqual({ copied: 1, skipped: 0, conflicts: 0 });

      const served = await serveDestination(to.serveArgs);
      cleanups.push(async () => void (await served.stop()));
      const client = new lark.Client({
        appId: server.creds.app_id,
        appSecret: server.creds.app_secret,
        domain: served.baseUrl,
        loggerLevel: lark.LoggerLevel.fatal,
      });
      expect(ok(await client.lingo.v1.entity.get({ path: { entity_id: before.entityId } })).entity).toEqual(before.entity);
      // A page token issued by the old server continues the same walk.
      expect(ok(await client.lingo.v1.entity.list({ params: { page_size: 2, page_token: before.pageToken } }))).toEqual(before.secondPage);
      expect(ok(await client.lingo.v1.entity.highlight({ data: { text: 'alpha, KYC and beta' } }))).toEqual(before.highlight);
      expect(ok(await client.lingo.v1.repo.list({}))).toEqual(before.repos);
      expect(ok(await client.lingo.v1.classification.list({ params: {} }))).toEqual(before.classifications);
      const edited = ok(
        await client.lingo.v1.draft.update({
          path: { draft_id: before.pendingDraftId },
          data: { main_keys: [term('KYC')], description: 'edited after the move' },
        }),
      );
      expect(edited.draft?.draft_id).toBe(before.pendingDraftId);
      const fresh = ok(await client.lingo.v1.entity.create({ data: { main_keys: [term('after the move')], description: 'new' } })).entity!;
      expect(fresh.id, 'the deleted entity id is never given again').toBe(`enterprise_${before.deletedSeq + 1}`);
      // The tenant token issued before the move, and the image the entity references.
      const image = await request(served.baseUrl, { path: downloadPath(before.fileToken), headers: { Authorization: `Bearer ${server.token}` } });
      expect(image.status).toBe(200);
      expect(image.body.equals(before.image)).toBe(true);
      await served.stop();

      const rerun = await cli(['migrate', '--data-dir', dataDir, ...to.migrateArgs, '--json']);
      expect(rerun.status).toBe(1);
      const again = migrateJson(rerun);
      for (const table of ['repos', 'repo_grants', 'classifications', 'server_keys'] as GlossaryTable[]) {
        expect(again.glossary[table], table).toMatchObject({ copied: 0, conflicts: 0 });
      }
      // The destination moved on (a draft edited, an entity created): those rows now differ, and are named.
      expect(again.glossaryConflicts.map((c) => c.table)).toContain('drafts');
      expect(Object.keys(again.glossary).sort()).toEqual(Object.keys(glossaryTables).sort());
    });

    it('refuses to merge a second data dir into the same destination: exit 1, the conflicting rows named', async () => {
      const to = await destination.create();
      cleanups.push(() => to.remove());
      const sources: { dataDir: string; creds: { app_id: string; app_secret: string } }[] = [];
      for (const key of ['first', 'second']) {
        const dataDir = makeTempDir('migrate-glossary-from');
        cleanups.push(() => removeDir(dataDir));
        const server = await startServerWithApp({ dataDir }, { scopes });
        cleanups.push(() => server.app.close());
        ok(await server.client.lingo.v1.entity.create({ data: { main_keys: [term(key)], description: key } }));
        await server.app.close();
        sources.push({ dataDir, creds: server.creds });
      }
      const first = await cli(['migrate', '--data-dir', sources[0]!.dataDir, ...to.migrateArgs, '--json']);
      expect(first.status, first.stderr).toBe(0);

      // Each data dir gave its tenant's company-wide repo id 1 and its entity seq 1.
      const second = await cli(['migrate', '--data-dir', sources[1]!.dataDir, ...to.migrateArgs, '--json']);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(
        /1 glossary row\(s\) not copied, the destination holds other rows under their ids: repos \{"id":1\}; the glossary copy stopped there/,
      );
      const report = migrateJson(second);
      expect(report.glossaryConflicts).toEqual([{ table: 'repos', key: { id: 1 } }]);
      expect(report.glossary.entities).toEqual({ copied: 0, skipped: 0, conflicts: 0 });

      const served = await serveDestination(to.serveArgs);
      cleanups.push(async () => void (await served.stop()));
      const token = (await postJson(served.baseUrl, tenantTokenPath, sources[0]!.creds)).json().tenant_access_token as string;
      const listed = await request(served.baseUrl, { path: '/open-apis/lingo/v1/entities', headers: { Authorization: `Bearer ${token}` } });
      expect(listed.status).toBe(200);
      expect((listed.json().data.entities as { main_keys: { key: string }[] }[]).map((e) => e.main_keys[0]!.key)).toEqual(['first']);
    });
  });
}
