import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { signInConsole, type ConsoleClient } from '../helpers/console.js';
import { entityData } from '../helpers/lingo.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

type Body = { code: number; msg: string; data: any; error?: { field_violations?: { field: string; description: string }[] } };

// The console's JSON API over HTTP: the open API's services and rules behind a session.
describe('console API', () => {
  let server: ServerWithApp;
  let admin: ConsoleClient;
  beforeAll(async () => {
    server = await startServerWithApp({}, { scopes: ['baike:entity', 'baike:entity:exempt_review'] });
    admin = await signInConsole(server, server.creds.tenant_key);
  });
  afterAll(() => server.close());

  const json = async (res: Response): Promise<Body> => (await res.json()) as Body;

  async function upload(client: ConsoleClient, name: string, bytes: Buffer): Promise<Response> {
    const form = new FormData();
    form.append('name', name);
    form.append('file', new Blob([bytes]), name);
    return client.call('/console/api/files', { method: 'POST', body: form });
  }

  it('files: upload as the API does, thumbnails by sharp (WebP, bounded), full size byte for byte, the gallery newest first', async () => {
    const bytes = await makeImage('png', 800, 600);
    const up = await upload(admin, 'wide.png', bytes);
    expect(up.status).toBe(200);
    const token = (await json(up)).data.file_token as string;
    const thumb = await admin.call(`/console/api/files/${token}/thumbnail?size=160`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 160, 120]);
    expect((await admin.call(`/console/api/files/${token}/thumbnail?size=7`)).status).toBe(400);
    const full = await admin.call(`/console/api/files/${token}/content`);
    expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true);
    // The stored file is untouched: the open API serves the same bytes.
    const viaApi = await fetch(`${server.baseUrl}/open-apis/lingo/v1/files/${token}/download`, { headers: { Authorization: `Bearer ${server.token}` } });
    expect(Buffer.from(await viaApi.arrayBuffer()).equals(bytes)).toBe(true);
    const later = (await json(await upload(admin, 'later.png', await makeImage('png', 400, 400)))).data.file_token as string;
    const gallery = (await json(await admin.call('/console/api/files'))).data.files as { file_token: string; name: string }[];
    expect(gallery.slice(0, 2).map((f) => f.file_token)).toEqual([later, token]);
    expect(gallery[1]).toMatchObject({ name: 'wide.png', format: 'png', size: bytes.length, width: 800, height: 600 });
  });

  it('files: BMP and ICO, which sharp cannot read, stand in for their own thumbnails (303 to the full image)', async () => {
    for (const format of ['bmp', 'ico'] as const) {
      const bytes = await makeImage(format, 400, 400);
      const token = (await json(await upload(admin, `icon.${format}`, bytes))).data.file_token as string;
      const thumb = await admin.call(`/console/api/files/${token}/thumbnail`);
      expect(thumb.status, format).toBe(303);
      expect(thumb.headers.get('location')).toBe(`/console/api/files/${token}/content`);
      const full = await admin.call(thumb.headers.get('location')!);
      expect(Buffer.from(await full.arrayBuffer()).equals(bytes), format).toBe(true);
    }
  });

  it('files: a refused upload answers the API’s code and reason; another tenant’s file does not exist for this session', async () => {
    const small = await upload(admin, 'small.png', await makeImage('png', 100, 400));
    expect(small.status).toBe(400);
    const body = await json(small);
    expect(body.code).toBe(2250001);
    expect(body.error?.field_violations).toEqual([{ field: 'file', description: 'image width is 100 px; width and height must each be 320-4096 px' }]);
    const stranger = await server.newApp();
    const other = await signInConsole(server, stranger.tenant_key);
    const token = (await json(await upload(admin, 'mine.png', await makeImage('png', 400, 400)))).data.file_token as string;
    expect((await other.call(`/console/api/files/${token}/thumbnail`)).status).toBe(400);
    expect((await other.call(`/console/api/files/${token}/content`)).status).toBe(400);
    expect(((await json(await other.call('/console/api/files'))).data.files as unknown[]).length).toBe(0);
  });

  it('entries: create, get (with repo_id), search with filters, replace, delete, with the API’s validation messages', async () => {
    const created = await admin.call('/console/api/entities', { method: 'POST', json: entityData('Numbat') });
    expect(created.status).toBe(200);
    const entity = (await json(created)).data.entity;
    expect(entity).toMatchObject({ creator: 'console', updater: 'console', source: 4 });
    const got = (await json(await admin.call(`/console/api/entities/${entity.id}`))).data;
    expect(got.repo_id).toMatch(/^[1-9][0-9]*$/);
    const found = (await json(await admin.call('/console/api/entities?query=numb&source=4'))).data.entities as { id: string }[];
    expect(found.map((e) => e.id)).toContain(entity.id);
    const badSource = await admin.call('/console/api/entities?source=9');
    expect(badSource.status).toBe(400);
    expect((await json(badSource)).error?.field_violations?.[0]?.field).toBe('sources[0]');
    const replaced = await admin.call(`/console/api/entities/${entity.id}`, {
      method: 'PUT',
      json: { ...entityData('Numbat'), description: 'Banded anteater' },
    });
    expect((await json(replaced)).data.entity.description).toBe('Banded anteater');
    const noKey = await admin.call(`/console/api/entities/${entity.id}`, { method: 'PUT', json: { description: 'x' } });
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).error?.field_violations).toEqual([{ field: 'main_keys', description: 'is required' }]);
    expect((await admin.call(`/console/api/entities/${entity.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await admin.call(`/console/api/entities/${entity.id}`)).status).toBe(400);
  });

  it('a session sees every repo of its tenant, granted to an app or not; admin creates repos, grants, two-level classifications, apps', async () => {
    const repo = (await json(await admin.call('/console/api/repos', { method: 'POST', json: { name: 'Fauna' } }))).data.repo as { id: string };
    const made = await admin.call(`/console/api/entities?repo_id=${repo.id}`, { method: 'POST', json: entityData('Bilby') });
    expect(made.status).toBe(200);
    // The app was never granted this repo: the open API does not show it, the console does.
    const viaApi = await fetch(`${server.baseUrl}/open-apis/lingo/v1/entities?repo_id=${repo.id}`, { headers: { Authorization: `Bearer ${server.token}` } });
    expect(viaApi.status).toBe(400);
    expect((await admin.call(`/console/api/repos/${repo.id}/grants`, { method: 'POST', json: { app_id: server.creds.app_id } })).status).toBe(200);
    const granted = await fetch(`${server.baseUrl}/open-apis/lingo/v1/entities?repo_id=${repo.id}`, { headers: { Authorization: `Bearer ${server.token}` } });
    expect(granted.status).toBe(200);
    const stranger = await server.newApp();
    const foreignGrant = await admin.call(`/console/api/repos/${repo.id}/grants`, { method: 'POST', json: { app_id: stranger.app_id } });
    expect(foreignGrant.status).toBe(400);

    const top = (await json(await admin.call(`/console/api/repos/${repo.id}/classifications`, { method: 'POST', json: { name: 'Mammals' } }))).data
      .classification;
    const child = (
      await json(await admin.call(`/console/api/repos/${repo.id}/classifications`, { method: 'POST', json: { name: 'Marsupials', father_id: top.id } }))
    ).data.classification;
    expect(child.father_id).toBe(top.id);
    const third = await admin.call(`/console/api/repos/${repo.id}/classifications`, { method: 'POST', json: { name: 'Too deep', father_id: child.id } });
    expect(third.status).toBe(400);
    const list = (await json(await admin.call(`/console/api/repos/${repo.id}/classifications`))).data.classifications as { id: string }[];
    expect(list.map((c) => c.id)).toEqual([top.id, child.id]);

    const app = await admin.call('/console/api/apps', { method: 'POST', json: { name: 'importer', scopes: ['baike:entity:readonly'] } });
    const creds = (await json(app)).data.app as { app_id: string; app_secret: string; tenant_key: string };
    expect(creds.tenant_key).toBe(server.creds.tenant_key);
    const token = await server.tenantToken(creds);
    expect(token).toMatch(/^t-/);
    const apps = (await json(await admin.call('/console/api/apps'))).data.apps as { app_id: string; app_secret?: string }[];
    expect(apps.find((a) => a.app_id === creds.app_id)).toEqual({
      app_id: creds.app_id,
      name: 'importer',
      type: 'self_built',
      scopes: ['baike:entity:readonly'],
    });
    const badScope = await admin.call('/console/api/apps', { method: 'POST', json: { name: 'x', scopes: ['admin:everything'] } });
    expect(badScope.status).toBe(400);
  });

  it('drafts: another tenant’s draft cannot be reviewed; a reviewed one is refused with the CLI’s reason', async () => {
    const draftId = (await server.client.lingo.v1.draft.create({ data: entityData('Kowari') })).data!.draft!.draft_id!;
    const stranger = await server.newApp();
    const other = await signInConsole(server, stranger.tenant_key);
    const foreign = await other.call(`/console/api/drafts/${draftId}/approve`, { method: 'POST' });
    expect(foreign.status).toBe(400);
    const pending = (await json(await admin.call('/console/api/drafts'))).data.drafts as { draft_id: string; current: unknown }[];
    expect(pending.find((d) => d.draft_id === draftId)).toMatchObject({ current: null });
    const rejected = await admin.call(`/console/api/drafts/${draftId}/reject`, { method: 'POST' });
    expect((await json(rejected)).data).toEqual({ draft_id: draftId, state: 'rejected', entity: null });
    const again = await admin.call(`/console/api/drafts/${draftId}/approve`, { method: 'POST' });
    expect(again.status).toBe(400);
    expect((await json(again)).error?.field_violations?.[0]?.description).toBe(`draft ${draftId} has already been reviewed`);
  });
});
