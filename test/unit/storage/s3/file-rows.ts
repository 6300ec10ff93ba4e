import type pg from 'pg';
import type { FileRow, MetaStore } from '../../../../src/meta/meta-store.js';
import { uniqueName } from '../../../helpers/services.js';

/**
 * File rows in the fixture's `files` table, and the part of a MetaStore that gc and fsck use.
 * Until the PostgreSQL metadata store is merged beside the S3 store, this stands in for it.
 */
export class FileRows {
  constructor(private readonly pool: pg.Pool) {}

  /** Commits a file row for the blob; returns its token. */
  async insert(blobKey: string, sizeBytes: number): Promise<string> {
    const fileToken = uniqueName('boxbc');
    await this.pool.query('INSERT INTO files (file_token, blob_key, size_bytes) VALUES ($1, $2, $3)', [fileToken, blobKey, sizeBytes]);
    return fileToken;
  }

  asMetaStore(): MetaStore {
    const pool = this.pool;
    const meta: Pick<MetaStore, 'isBlobReferenced' | 'listFiles'> = {
      isBlobReferenced: async (blobKey) => (await pool.query('SELECT 1 FROM files WHERE blob_key = $1 LIMIT 1', [blobKey])).rowCount === 1,
      async *listFiles(): AsyncIterable<FileRow> {
        const { rows } = await pool.query<{ file_token: string; blob_key: string; size_bytes: string }>(
          'SELECT file_token, blob_key, size_bytes FROM files ORDER BY file_token',
        );
        for (const r of rows) {
          yield {
            fileToken: r.file_token,
            tenantKey: 't',
            appId: 'a',
            name: 'f.png',
            blobKey: r.blob_key,
            sizeBytes: Number(r.size_bytes),
            sha256: r.blob_key,
            format: 'png',
            mime: 'image/png',
            width: 1,
            height: 1,
            createdAtMs: 0,
          };
        }
      },
    };
    return meta as MetaStore;
  }
}
