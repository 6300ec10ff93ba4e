import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { runCliAsync, serverArgs } from '../helpers/client-cli.js';
import { countRows } from '../helpers/hostile.js';
import { request } from '../helpers/http.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

interface WireEntity {
  id: string;
  main_keys: Array<{ key: string }>;
  aliases: Array<{ key: string }>;
  description: string;
  related_meta: { images: Array<{ token: string }> };
  outer_info?: { provider: string; outer_id: string };
}

const csv = [
  'key,aliases,description,images,provider,outer_id',
  'Lingo,词典 | glossary,"A glossary, with ""quotes""",img/a.png|img/b.jpg,acme,e1',
  'Second,,shares an image with the first,img/a.png,acme,e2',
  ',nokey,a row without a key,,acme,e3',
  'Dash,,an outer_id with a dash,,acme,e-4',
  'BadImage,,an image the server would refuse,img/tiny.png,acme,e5',
].join('\n');

describe('lingo-server import', () => {
  let server: ServerWithApp;
  let dir: string;

  beforeAll(async () => {
    server = await startServerWithApp({}, { scopes: ['baike:entity', 'baike:entity:exempt_review'] });
    dir = makeTempDir('client-import');
    fs.mkdirSync(path.join(dir, 'img'));
    fs.writeFileSync(path.join(dir, 'img', 'a.png'), await makeImage('png', 400, 400));
    fs.writeFileSync(path.join(dir, 'img', 'b.jpg'), await makeImage('jpeg', 400, 320));
    fs.writeFileSync(path.join(dir, 'img', 'tiny.png'), await makeImage('png', 100, 100));
    fs.writeFileSync(path.join(dir, 'entries.csv'), csv);
  });
  afterAll(async () => {
    await server.close();
    removeDir(dir);
  });

  /** The entities whose outer_id starts with `prefix` (each test uses its own). */
  async function listEntities(prefix: string): Promise<WireEntity[]> {
    const res = await request(server.baseUrl, { path: '/open-apis/lingo/v1/entities?page_size=100', headers: { Authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(200);
    return (res.json().data.entities as WireEntity[]).filter((e) => e.outer_info?.outer_id.startsWith(prefix));
  }

  it("creates the good rows, reports every refused row with the server's field_violations, and a second run updates instead of duplicating", async () => {
    const file = path.join(dir, 'entries.csv');
    const filesBefore = await countRows(server);
    const first = await runCliAsync(['import', file, ...serverArgs(server.baseUrl, server.creds)]);
    expect(first.stdout).toContain('created 2, updated 0, refused 3, failed 0');
    expect(first.status, first.stderr).toBe(1);
    expect(first.stderr).toContain('import: 3 row(s) refused, 0 failed');
    expect(first.stdout).toContain('refused line 4 (key ""):\n  main_keys[0].key: must be 1–100 characters (is 0)');
    expect(first.stdout).toContain('refused line 5 (key "Dash"):\n  outer_info.outer_id: must not contain "-"');
    expect(first.stdout).toContain('refused line 6 (key "BadImage"):\n  images[0]: img/tiny.png: file: image width is 100 px');
    // a.png is named twice but sent once; tiny.png never.
    expect((await countRows(server)) - filesBefore).toBe(2);

    const created = await listEntities('e');
    expect(created.map((e) => e.outer_info?.outer_id).sort()).toEqual(['e1', 'e2']);
    const lingo = created.find((e) => e.outer_info?.outer_id === 'e1')!;
    expect(lingo.main_keys.map((k) => k.key)).toEqual(['Lingo']);
    expect(lingo.aliases.map((k) => k.key)).toEqual(['词典', 'glossary']);
    expect(lingo.description).toBe('A glossary, with "quotes"');
    expect(lingo.related_meta.images).toHaveLength(2);
    expect(created.find((e) => e.outer_info?.outer_id === 'e2')!.related_meta.images[0]).toEqual(lingo.related_meta.images[0]);

    const second = await runCliAsync(['import', file, ...serverArgs(server.baseUrl, server.creds)]);
    expect(second.stdout).toContain('created 0, updated 2, refused 3, failed 0');
    expect(second.stdout).toContain(`updated line 2 (key "Lingo") ${lingo.id}`);
    expect(second.status).toBe(1);
    const after = await listEntities('e');
    expect(after.map((e) => e.id).sort()).toEqual(created.map((e) => e.id).sort());
  });

  it('takes JSONL: a changed row updates its entry, a new one is created, and a clean run exits 0', async () => {
    const file = path.join(dir, 'more.jsonl');
    const lines = [
      { key: 'Lingo', aliases: ['词典'], description: 'changed in the second export', images: ['img/b.jpg'], provider: 'acme', outer_id: 'j1' },
      { key: 'Lingo', aliases: [], description: 'the same outer_info again: an update of the line above', provider: 'acme', outer_id: 'j1' },
      { key: 'Third', description: 'new', provider: 'acme', outer_id: 'j3' },
    ];
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n\n');
    const r = await runCliAsync(['import', file, ...serverArgs(server.baseUrl, server.creds)]);
    expect(r.stdout).toContain('created 2, updated 1, refused 0, failed 0');
    expect(r.status, r.stderr).toBe(0);
    const byOuter = new Map((await listEntities('j')).map((e) => [e.outer_info?.outer_id, e]));
    expect(byOuter.get('j1')).toMatchObject({ description: 'the same outer_info again: an update of the line above', aliases: [] });
    expect(byOuter.get('j1')!.related_meta.images).toEqual([]);
    expect(byOuter.get('j3')!.main_keys[0]!.key).toBe('Third');
  });

  it('a file that is neither CSV nor JSONL, or a CSV with an unknown column, is an argument error (status 2) before any request', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'key,alias,provider,outer_id\nA,b,acme,x1\n');
    const r = await runCliAsync(['import', bad, ...serverArgs(server.baseUrl, server.creds)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown column(s) alias; the columns are key, aliases, description, images, provider, outer_id');
    const txt = await runCliAsync(['import', path.join(dir, 'entries.txt'), ...serverArgs(server.baseUrl, server.creds)]);
    expect(txt.status).toBe(2);
    expect(txt.stderr).toContain('must end in .csv or .jsonl');
  });
});
