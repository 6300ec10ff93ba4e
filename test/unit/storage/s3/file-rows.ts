import type pg from 'pg';
import type { MetaStore } from '../../../../src/meta/meta-store.js';
import { PostgresMetaStore } from '../../../../src/meta/postgres-meta-store.js';
import { newFileToken } from '../../../../src/files/file-service.js';

/** File rows through the PostgreSQL metadata store on the fixture's pool (which the fixture ends). */
export class FileRows {
  private readonly meta: PostgresMetaStore;

  constructor(pool: pg.Pool) {
    this.meta = new PostgresMetaStore(pool, 'postgres://test-fixture');
  }

  /** Commits a file row for the blob, as FileService does; returns its token. */
  async insert(blobKey: string, sizeBytes: number): Promise<string> {
    const fileToken = newFileToken();
    const row = {
      fileToken,
      tenantKey: 't',
      appId: 'a',
      name: 'f.png',
      blobKey,
      sizeBytes,
      sha256: blobKey,
      format: 'png',
      mime: 'image/png',
      width: 320,
      height: 320,
      createdAtMs: Date.now(),
    };
    if ((await this.meta.insertFile(row)) !== 'ok') throw new Error(`file token ${fileToken} taken`);
    return fileToken;
  }

  /** What gc and fsck read: the real store (never closed here: the fixture ends the pool). */
  asMetaStore(): MetaStore {
    return this.meta;
  }
}
