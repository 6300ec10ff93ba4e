import { buildConfig } from '../../src/config/config.js';
import type { MetaStore } from '../../src/meta/meta-store.js';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';

/**
 * The metadata store of a data dir, with its write-behind file inserts (`insertFile(row, {lazy})`,
 * the rows of small uploads already durable in their segment record) held until `release()`:
 * what the database holds between an upload's answer and its row's commit, made to last.
 */
export function heldLazyInserts(dataDir: string): { meta: MetaStore; release(): void } {
  const config = buildConfig({ dataDir }).metaStore;
  if (config.kind !== 'sqlite') throw new Error('expected the embedded store');
  const inner = new SqliteMetaStore(config.path);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const meta = new Proxy(inner, {
    get(target, key, receiver) {
      if (key !== 'insertFile') return Reflect.get(target, key, receiver) as unknown;
      return async (...args: Parameters<MetaStore['insertFile']>) => {
        if (args[1]?.lazy) await released;
        return target.insertFile(...args);
      };
    },
  });
  return { meta, release };
}
