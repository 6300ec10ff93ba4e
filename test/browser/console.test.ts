import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { entityData, wireTerm } from '../helpers/lingo.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { buildConsoleBundle, chromiumPath, dropFiles, expectAccessible, haveChromium, launchChromium, screenshot } from './browser.js';

// The console in a real browser (issue #19): Chromium driven by playwright-core against a real
// server. Each test signs in afresh and makes its own data.
const suite = haveChromium ? describe : describe.skip;
suite(`the console in Chromium${haveChromium ? '' : ` [skipped: no ${chromiumPath}; run scripts/services.sh install]`}`, () => {
  let server: ServerWithApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    buildConsoleBundle();
    server = await startServerWithApp({}, { scopes: ['baike:entity', 'baike:entity:exempt_review', 'baike:entity:exempt_delete'] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh browser context signed in through the sign-in page; dialogs and page errors are recorded. */
  async function signedIn(viewport = { width: 1280, height: 900 }): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport });
    contexts.push(context);
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    page.on('pageerror', (e) => errors.push(e.message));
    const { token } = await server.app.console.issueToken(server.creds.tenant_key, 600);
    await page.goto('/console/entries');
    await page.waitForURL('**/console/sign-in');
    await page.getByLabel('Console token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Entries', level: 1 }).waitFor();
    return { page, dialogs, errors };
  }

  it('sign in, create an entry with two images dropped on it, find it by search, open it: thumbnails, sanitised rich text', async () => {
    const signInContext = await browser.newContext({ baseURL: server.baseUrl });
    contexts.push(signInContext);
    const anonymous = await signInContext.newPage();
    await anonymous.goto('/console/sign-in');
    await anonymous.getByLabel('Console token').waitFor();
    await expectAccessible(anonymous, 'sign-in');
    await screenshot(anonymous, 'sign-in');

    const { page, dialogs, errors } = await signedIn();
    await expectAccessible(page, 'entries');
    await page.getByRole('link', { name: 'New entry' }).click();
    await page.getByRole('heading', { name: 'New entry' }).waitFor();
    const key = `Quokka${Date.now()}`;
    await page.getByLabel('Main key').fill(key);
    await page.getByLabel('Aliases (comma-separated)').fill('QK');
    await page.getByLabel('Description').fill('A small marsupial');
    await page
      .getByLabel('Rich text (HTML)')
      .fill(
        '<p>Lives on <b>Rottnest</b></p><script>window.__pwned = 1; alert(1)</script><img src="x" onerror="window.__pwned = 2; alert(2)"><a href="https://example.com/q" target="_blank" onclick="alert(3)">more</a>',
      );
    const [a, b] = [await makeImage('png', 400, 360), await makeImage('jpeg', 480, 400)];
    await dropFiles(page, '[data-testid=drop-zone]', [
      { name: 'one.png', bytes: a, type: 'image/png' },
      { name: 'two.jpg', bytes: b, type: 'image/jpeg' },
    ]);
    await expect.poll(() => page.locator('.uploads .file-token').count(), { timeout: 15_000 }).toBe(2);
    await expectAccessible(page, 'new entry');
    await screenshot(page, 'entry-new');
    await page.getByRole('button', { name: 'Create entry' }).click();
    await page.getByRole('heading', { name: key, level: 1 }).waitFor();

    await page.getByRole('link', { name: 'Entries' }).click();
    await page.getByLabel('Search').fill(key.slice(0, 10));
    await page.getByRole('link', { name: key }).click();
    await page.getByRole('heading', { name: key, level: 1 }).waitFor();
    const thumbs = page.locator('img.thumbnail');
    await expect.poll(() => thumbs.count()).toBe(2);
    await expect.poll(() => thumbs.evaluateAll((imgs) => imgs.every((i: any) => i.complete && i.naturalWidth > 0))).toBe(true);
    const links = await page.locator('.gallery a').evaluateAll((as) => as.map((x: any) => x.pathname as string));
    expect(links.every((p) => /^\/console\/api\/files\/[^/]+\/content$/.test(p))).toBe(true);
    const full = await page.request.get(links[0]!);
    expect(full.status()).toBe(200);
    expect(Buffer.from(await full.body()).equals(a)).toBe(true);

    // The rich text: its script never ran, no handler survived, the link opens without an opener.
    const rich = page.locator('.rich-text');
    await expect.poll(() => rich.locator('b').textContent()).toBe('Rottnest');
    expect(await rich.locator('script').count()).toBe(0);
    expect(await rich.evaluate((el) => el.innerHTML)).not.toMatch(/onerror|onclick|alert/);
    expect(await rich.locator('a').getAttribute('rel')).toContain('noopener');
    expect(await rich.locator('img').getAttribute('onerror')).toBeNull();
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await expectAccessible(page, 'entry');
    await screenshot(page, 'entry');

    // The API sees the same entry, with both images.
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const viaApi = (await server.client.lingo.v1.entity.get({ path: { entity_id: id } })).data!.entity!;
    expect(viaApi.main_keys![0]!.key).toBe(key);
    expect(viaApi.related_meta!.images!.map((i) => i.token)).toHaveLength(2);

    // Edit is a full replace: an empty main key gets the API's own message; a valid one is saved.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Main key').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^main_keys\[0\]\.key: /);
    await page.getByLabel('Main key').fill(`${key}-2`);
    await page.getByLabel('Rich text (HTML)').fill('');
    await page.getByLabel('Description').fill('Edited in the console');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `${key}-2`, level: 1 }).waitFor();
    const edited = (await server.client.lingo.v1.entity.get({ path: { entity_id: id } })).data!.entity!;
    expect([edited.description, edited.aliases!.map((a) => a.key), edited.related_meta!.images!.length]).toEqual(['Edited in the console', ['QK'], 2]);
  });

  it('keyboard only: sign in with Tab and Enter, reach Drafts by its link; the focused control shows an outline', async () => {
    const context = await browser.newContext({ baseURL: server.baseUrl });
    contexts.push(context);
    const page = await context.newPage();
    const { token } = await server.app.console.issueToken(server.creds.tenant_key, 600);
    await page.goto('/console/sign-in');
    await page.getByLabel('Console token').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('console-token');
    const outline = await page.evaluate(() => {
      const g = globalThis as any;
      return g.getComputedStyle(g.document.activeElement).outlineStyle as string;
    });
    expect(outline).not.toBe('none');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Entries', level: 1 }).waitFor();
    // Skip link, brand text, then the nav links in order: Tab until Drafts has focus, at most 20 presses.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)) === 'Drafts') break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Drafts', level: 1 }).waitFor();
  });

  it('drafts from the official SDK: approve one and reject another in the console; the API sees both', async () => {
    const client = server.client;
    const key = `Wombat${Date.now()}`;
    const entity = (await client.lingo.v1.entity.create({ data: entityData(key) })).data!.entity!;
    const update = (
      await client.lingo.v1.draft.create({ data: { ...entityData(key, { aliases: [wireTerm('WB')] }), description: 'Burrowing marsupial', id: entity.id } })
    ).data!.draft!;
    const fresh = (await client.lingo.v1.draft.create({ data: entityData(`Dropbear${Date.now()}`) })).data!.draft!;

    const { page } = await signedIn();
    await page.getByRole('link', { name: 'Drafts' }).click();
    await page.getByRole('heading', { name: 'Drafts', level: 1 }).waitFor();
    const updateCard = page.locator('.drafts > li', { hasText: `draft ${update.draft_id}` });
    await expect.poll(() => updateCard.count()).toBe(1);
    expect(await updateCard.getByRole('heading').textContent()).toContain(key);
    expect(await updateCard.locator('tr.changed th').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Aliases'), expect.stringContaining('Description')]),
    );
    expect(await updateCard.locator('mark').allTextContents()).toContain('Burrowing marsupial');
    await expectAccessible(page, 'drafts');
    await screenshot(page, 'drafts');

    await updateCard.getByRole('button', { name: 'Approve' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Draft ${update.draft_id}` })
      .waitFor();
    await page
      .locator('.drafts > li', { hasText: `draft ${fresh.draft_id}` })
      .getByRole('button', { name: 'Reject' })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `Draft ${fresh.draft_id}` })
      .waitFor();
    expect(await page.locator('.drafts > li', { hasText: `draft ${update.draft_id}` }).count()).toBe(0);

    const after = (await client.lingo.v1.entity.get({ path: { entity_id: entity.id! } })).data!.entity!;
    expect(after.description).toBe('Burrowing marsupial');
    expect(after.aliases!.map((t) => t.key)).toEqual(['WB']);
    for (const draftId of [update.draft_id!, fresh.draft_id!]) {
      const f = await sdkFailure(() => client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('too late') }));
      expect(f.status).toBe(403);
      expect(f.data.code).toBe(2250100);
    }
    const drafts = await server.app.drafts.list(server.creds.tenant_key, null);
    expect(drafts.find((d) => d.draftId === fresh.draft_id)?.state).toBe('rejected');
    expect(drafts.find((d) => d.draftId === update.draft_id)?.state).toBe('approved');
  });

  it('Images: a refused file shows the rules’ reason, the gallery shows thumbnails and facts; admin; readable at 375 px', async () => {
    const { page } = await signedIn({ width: 375, height: 800 });
    await page.getByRole('link', { name: 'Images' }).click();
    await page.getByRole('heading', { name: 'Images', level: 1 }).waitFor();
    const good = await makeImage('webp', 640, 480);
    const small = await makeImage('png', 100, 100);
    await page.getByLabel('Upload').setInputFiles([
      { name: 'wide.webp', mimeType: 'image/webp', buffer: good },
      { name: 'tiny.png', mimeType: 'image/png', buffer: small },
    ]);
    const refused = page.locator('.uploads li.refused', { hasText: 'tiny.png' });
    await expect.poll(() => refused.textContent()).toContain('image width is 100 px; width and height must each be 320-4096 px');
    await expect.poll(() => page.locator('.uploads li.done', { hasText: 'wide.webp' }).locator('.file-token').count()).toBe(1);
    const card = page.locator('.gallery li', { hasText: 'wide.webp' });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toMatch(/WEBP · .* · 640×480/);
    await expect.poll(() => card.locator('img').evaluate((i: any) => i.naturalWidth as number)).toBeGreaterThan(0);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(375);
    await expectAccessible(page, 'images');
    await screenshot(page, 'images-375px');

    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    await page.getByLabel('New repo name').fill('Fauna');
    await page.getByRole('button', { name: 'Create repo' }).click();
    await page.getByRole('status').filter({ hasText: 'Created repo Fauna' }).waitFor();
    await page.getByLabel('App name').fill('importer');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('region', { name: 'New app credentials' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(375);
    await expectAccessible(page, 'admin');
    await screenshot(page, 'admin-375px');
  });
});
