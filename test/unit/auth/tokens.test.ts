import fs from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/auth/apps.js';
import { TokenService } from '../../../src/auth/tokens.js';
import { LingoError } from '../../../src/errors/lingo-error.js';
import { useTempMetaStore } from '../../helpers/meta-store.js';

describe('TokenService lifetime rules', () => {
  const store = useTempMetaStore('tok');
  let now: number;
  let tokens: TokenService;

  beforeEach(() => {
    now = Date.UTC(2026, 0, 1);
    tokens = new TokenService(store.meta, () => now);
  });

  it('hands out the same token until 30 minutes are left, then a new one; both stay valid until their own expiry', async () => {
    const c = await createApp(store.meta, { name: 'a', scopes: ['baike:entity'] });
    const first = await tokens.issueTenantToken(c.app_id, c.app_secret);
    expect(first.expireSeconds).toBe(7200);
    now += 90 * 60 * 1000; // 30 min left
    const same = await tokens.issueTenantToken(c.app_id, c.app_secret);
    expect(same.token).toBe(first.token);
    expect(same.expireSeconds).toBe(1800);
    now += 1000; // 29:59 left
    const fresh = await tokens.issueTenantToken(c.app_id, c.app_secret);
    expect(fresh.token).not.toBe(first.token);
    expect(fresh.expireSeconds).toBe(7200);
    expect((await tokens.verify(first.token)).app.appId).toBe(c.app_id);
    now += 30 * 60 * 1000;
    await expect(tokens.verify(first.token)).rejects.toMatchObject({ code: 99991663 });
    expect((await tokens.verify(fresh.token)).kind).toBe('tenant');
  });

  it('stores no usable token or secret: only hashes', async () => {
    const c = await createApp(store.meta, { name: 'a', scopes: ['baike:entity'] });
    const t = await tokens.issueTenantToken(c.app_id, c.app_secret);
    const dump = fs.readFileSync(store.file).toString('latin1') + fs.readFileSync(`${store.file}-wal`).toString('latin1');
    expect(dump).not.toContain(c.app_secret);
    expect(dump).not.toContain(t.token);
  });

  it('user tokens: expired is 99991677, unknown u- is 99991668, scopes are the user grant', async () => {
    const c = await createApp(store.meta, { name: 'a', scopes: ['baike:entity'] });
    const app = (await store.meta.findApp(c.app_id))!;
    const u = await tokens.mintUserToken(app, 'ou_1', ['baike:entity:readonly'], 60);
    expect((await tokens.verify(u.token)).scopes).toEqual(['baike:entity:readonly']);
    now += 60_000;
    await expect(tokens.verify(u.token)).rejects.toMatchObject({ code: 99991677, http: 401 });
    await expect(tokens.verify('u-nope')).rejects.toBeInstanceOf(LingoError);
    await expect(tokens.verify('u-nope')).rejects.toMatchObject({ code: 99991668 });
  });
});
