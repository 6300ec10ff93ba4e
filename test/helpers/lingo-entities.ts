import type * as lark from '@larksuiteoapi/node-sdk';
import { expect } from 'vitest';
import type { AppCredentials } from '../../src/auth/apps.js';
import type { Wire } from './sdk.js';
import type { TestServer } from './server.js';

/**
 * Shared pieces of the Lingo entity end-to-end tests (test/e2e/lingo-*.test.ts): wire-shaped
 * bodies as the Node SDK takes them, an app with the scopes an entity writer needs, and the
 * out-of-band set-up (repos, grants, classifications) that has no open API.
 */

export const entitiesPath = '/open-apis/lingo/v1/entities';

/** What an app that creates, updates, deletes and reads entities is given. */
export const writerScopes = ['baike:entity:exempt_review', 'baike:entity:exempt_delete'];

export interface WireTerm {
  key: string;
  display_status: { allow_highlight: boolean; allow_search: boolean };
}

export function term(key: string, display: { highlight?: boolean; search?: boolean } = {}): WireTerm {
  return { key, display_status: { allow_highlight: display.highlight ?? true, allow_search: display.search ?? true } };
}

/** The create/update `data` of the Node SDK: one main key and a description, `extra` on top. */
export type EntityData = Parameters<lark.Client['lingo']['v1']['entity']['create']>[0] extends infer P ? (P extends { data: infer D } ? D : never) : never;

export function entityData(mainKey: string, extra: Partial<EntityData> = {}): EntityData {
  return { main_keys: [term(mainKey)], description: `${mainKey} is a term`, ...extra };
}

export interface Writer {
  creds: AppCredentials;
  client: lark.Client;
  /** A tenant token of the app, for raw HTTP. */
  token: string;
}

/** A fresh app (and so a fresh tenant unless `tenantKey`): every test gets its own glossary and quota. */
export async function newWriter(server: TestServer, opts: { scopes?: string[]; tenantKey?: string } = {}): Promise<Writer> {
  const creds = await server.newApp({ scopes: opts.scopes ?? writerScopes, tenantKey: opts.tenantKey });
  return { creds, client: server.sdk(creds), token: await server.tenantToken(creds) };
}

/** Creates through the SDK and returns the entity, failing the test on anything but code 0. */
export async function createEntity(w: Writer, data: EntityData, repoId?: string) {
  const res = await w.client.lingo.v1.entity.create({ data, ...(repoId !== undefined && { params: { repo_id: repoId } }) }).catch((err: unknown) => {
    // The server's answer says why; axios' message alone does not.
    throw new Error(`entity.create failed: ${JSON.stringify((err as { response?: { data?: unknown } }).response?.data)}`);
  });
  expect(res.code).toBe(0);
  return res.data!.entity!;
}

/** A repo of the writer's tenant that is not the company-wide one, granted to the writer unless told. */
export async function newRepo(server: TestServer, w: Writer, opts: { grant?: boolean; name?: string } = {}): Promise<string> {
  const repo = await server.app.glossary.createRepo(w.creds.tenant_key, opts.name ?? 'team repo');
  if (opts.grant ?? true) await server.app.glossary.grantRepo(repo.id, w.creds.app_id);
  return repo.id;
}

/** A first-level classification of `repoId` with second-level children named `children`. */
export async function classificationTree(server: TestServer, repoId: string, name: string, children: string[]) {
  const parent = await server.app.glossary.createClassification({ repoId, name, fatherId: null, i18nNames: [] });
  const kids = [];
  for (const child of children) kids.push(await server.app.glossary.createClassification({ repoId, name: child, fatherId: parent.id, i18nNames: [] }));
  return { parent: parent.id, children: kids.map((k) => k.id) };
}

/** The company-wide repo's id of the writer's tenant. */
export async function companyRepoId(server: TestServer, w: Writer): Promise<string> {
  return (await server.app.glossary.companyRepo(w.creds.tenant_key)).id;
}

/** A failure is 400 2250001 naming exactly `fields` in `error.field_violations` (in any order). */
export function expectInvalid(f: { status: number; data: Wire }, fields: string[]): void {
  expect([f.status, f.data.code, f.data.msg]).toEqual([400, 2250001, 'invalid param']);
  expect((f.data.error?.field_violations ?? []).map((v) => v.field).sort()).toEqual([...fields].sort());
}
