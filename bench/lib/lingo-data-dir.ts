import { buildApp, type App } from '../../src/app.js';
import { createApp, type AppCredentials } from '../../src/auth/apps.js';
import { buildConfig, type ConfigInput } from '../../src/config/config.js';
import { parseEntityBody } from '../../src/glossary/wire/entity-body.js';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';
import type { CorpusEntity } from './glossary-corpus.js';

/**
 * What the bench does to a lingo-server's stores outside the server: it creates the apps (and the
 * highlight scenario's glossary) before the server starts, and counts the stored files afterwards.
 * All of it goes through buildApp() and its stores, as the CLI's `app create` does, so the bench
 * never depends on how storage lays out a data dir, and works alike on PostgreSQL + S3
 * (`stores`: the settings that open them, data dir included; see lingo-backends.ts). In-process rather than by spawning `lingo-server app create` once per app: the
 * latency scenario needs twenty apps, and twenty Node start-ups would make every run slower.
 */
async function withApp<T>(stores: ConfigInput, use: (app: App) => Promise<T>): Promise<T> {
  const app = buildApp(buildConfig({ ...stores, logLevel: 'silent' }));
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}

/** `count` apps (by default allowed to upload: scope baike:entity), each in a tenant of its own. */
export function createApps(stores: ConfigInput, count: number, scopes: string[] = ['baike:entity']): Promise<AppCredentials[]> {
  return withApp(stores, async (app) => {
    const apps: AppCredentials[] = [];
    for (let i = 0; i < count; i++) apps.push(await createApp(app.meta, { name: `bench-${i}`, scopes }));
    return apps;
  });
}

/** A corpus entity as the body of POST or PUT /open-apis/lingo/v1/entities: every key highlightable. */
export function entityBody(e: CorpusEntity): Record<string, unknown> {
  const term = (key: string) => ({ key, display_status: { allow_highlight: true, allow_search: true } });
  return { main_keys: [term(e.mainKey)], aliases: e.aliases.map(term), description: e.description };
}

/**
 * Loads `corpus` into the company-wide repo of `owner`'s tenant, before the server starts, through
 * the glossary store: the rows an HTTP create would write (the body goes through the route's own
 * parser; there are no images or classifications to check), without 10,000 requests through the
 * write tier, each durable on its own. For the same reason this one connection runs with
 * synchronous=OFF: a crash during the seed only means running the bench again.
 */
export function seedGlossary(stores: ConfigInput, owner: AppCredentials, corpus: readonly CorpusEntity[]): Promise<void> {
  return withApp(stores, async (app) => {
    if (app.meta instanceof SqliteMetaStore) app.meta.database.pragma('synchronous = OFF');
    const repo = await app.glossary.companyRepo(owner.tenant_key);
    const at = Date.now();
    for (const e of corpus) {
      const { content } = parseEntityBody(entityBody(e), 'entity');
      const row = { tenantKey: owner.tenant_key, repoId: repo.id, content, creator: owner.app_id, updater: owner.app_id, createdAtMs: at, updatedAtMs: at };
      if ((await app.glossary.insertEntity({ ...row, source: 4 })) === 'outer-info-taken') throw new Error('the corpus has no outer_info');
    }
  });
}

export interface StoredFiles {
  /** File rows: one per upload the server committed. */
  rows: number;
  /** Distinct blob keys among them: equal to `rows` when no upload was deduplicated away. */
  distinctBlobs: number;
}

/** Read-only, beside a running server (as `lingo-server fsck` is). */
export function storedFiles(stores: ConfigInput): Promise<StoredFiles> {
  return withApp(stores, async (app) => {
    let rows = 0;
    const blobs = new Set<string>();
    for await (const row of app.meta.listFiles()) {
      rows++;
      blobs.add(row.blobKey);
    }
    return { rows, distinctBlobs: blobs.size };
  });
}
