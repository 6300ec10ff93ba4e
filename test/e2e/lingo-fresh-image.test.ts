import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { heldLazyInserts } from '../helpers/held-inserts.js';
import { entityData } from '../helpers/lingo.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// An upload is acknowledged once its bytes and row are durable in the segment journal; the row
// reaches the database afterwards. An integration uploads an image and creates the entity that
// shows it right away, so the image check must see that row too.
describe('an image referenced right after its upload, before its row reaches the database', () => {
  let server: TestServer;
  let held: ReturnType<typeof heldLazyInserts>;
  beforeAll(async () => {
    const dataDir = makeTempDir('fresh-image');
    held = heldLazyInserts(dataDir);
    server = await startServer({ dataDir }, { meta: held.meta });
  });
  afterAll(async () => {
    held.release();
    await server.close();
  });

  it('entity.create and draft.create accept the just-acknowledged file_token', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:exempt_review'] });
    const client = server.sdk(creds);
    const uploaded = await client.lingo.v1.file.upload({ data: { name: 'fresh.png', file: await makeImage('png', 400, 400) } });
    const token = uploaded!.file_token!;
    // Still held: the database does not know the row yet.
    expect(await server.app.meta.findFile(creds.tenant_key, token)).toBeUndefined();

    const images = { related_meta: { images: [{ token }] } };
    const entity = await client.lingo.v1.entity.create({ data: entityData('Fresh', images) });
    expect([entity.code, entity.data!.entity!.related_meta!.images]).toEqual([0, [{ token }]]);
    const draft = await client.lingo.v1.draft.create({ data: entityData('Fresher', images) });
    expect([draft.code, draft.data!.draft!.entity!.related_meta!.images]).toEqual([0, [{ token }]]);
  });
});
