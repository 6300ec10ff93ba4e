import { buildApp, type App } from '../../src/app.js';
import { createApp, type AppCredentials } from '../../src/auth/apps.js';
import { buildConfig } from '../../src/config/config.js';

/**
 * What the bench does to a lingo-server data dir outside the server: it creates the apps before
 * the server starts, and counts the stored files afterwards. Both go through buildApp() and its
 * MetaStore, as the CLI's `app create` does, so the bench never depends on how storage lays out
 * a data dir. In-process rather than by spawning `lingo-server app create` once per app: the
 * latency scenario needs twenty apps, and twenty Node start-ups would make every run slower.
 */
async function withApp<T>(dataDir: string, use: (app: App) => Promise<T>): Promise<T> {
  const app = buildApp(buildConfig({ dataDir, logLevel: 'silent' }));
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}

/** `count` apps allowed to upload (scope baike:entity), each in a tenant of its own. */
export function createApps(dataDir: string, count: number): Promise<AppCredentials[]> {
  return withApp(dataDir, async (app) => {
    const apps: AppCredentials[] = [];
    for (let i = 0; i < count; i++) apps.push(await createApp(app.meta, { name: `bench-${i}`, scopes: ['baike:entity'] }));
    return apps;
  });
}

export interface StoredFiles {
  /** File rows: one per upload the server committed. */
  rows: number;
  /** Distinct blob keys among them: equal to `rows` when no upload was deduplicated away. */
  distinctBlobs: number;
}

/** Read-only, beside a running server (as `lingo-server fsck` is). */
export function storedFiles(dataDir: string): Promise<StoredFiles> {
  return withApp(dataDir, async (app) => {
    let rows = 0;
    const blobs = new Set<string>();
    for await (const row of app.meta.listFiles()) {
      rows++;
      blobs.add(row.blobKey);
    }
    return { rows, distinctBlobs: blobs.size };
  });
}
