import type { Readable } from 'node:stream';
import type { Principal } from '../auth/tokens.js';
import { randomString } from '../auth/secrets.js';
import { invalidParam } from '../errors/lingo-error.js';
import type { ImageInfo } from '../images/types.js';
import type { FileRow, MetaStore } from '../meta/meta-store.js';
import type { BlobStore, PutResult } from '../storage/blob-store.js';
import { encodeFileRow } from './file-journal.js';
import { ValidatedImage } from './validated-image.js';

/** A validated image that is durable as a blob but not yet visible: commit() or discard() it. */
export interface StagedImage {
  blob: PutResult;
  image: ImageInfo;
}

/**
 * The upload and download use cases. Order of an upload: validate while streaming into the blob
 * store (temp → fsync → rename), then insert the row; only then is a token handed out. A failure
 * after the blob landed removes the blob again unless another in-flight upload shares it.
 *
 * Small blobs, where the store can hold them (segments): validated and hashed while streaming,
 * held in memory, then written at commit in one durable record with their row as a journal
 * entry; the token is handed out then, and the row reaches the database lazily afterwards
 * (served from `journaled` until it has). One durable write per upload instead of two in turn.
 */
export class FileService {
  /** Blob keys that an upload in this process has staged but not yet committed or discarded. */
  private readonly staged = new Map<string, number>();
  /** Deletions of discarded blobs under way; a new upload of the same bytes waits for them. */
  private readonly deleting = new Map<string, Promise<void>>();
  /** File rows never change once written, so a hot file is served without a database read. */
  private readonly recentRows = new Map<string, FileRow>();
  /**
   * Rows of acknowledged small uploads, durable in their segment record, whose insert into the
   * database has not committed, by tenant and token. One that failed stays (see insertJournaled).
   */
  private readonly journaled = new Map<string, { row: FileRow; inserting: Promise<unknown> }>();

  constructor(
    private readonly meta: MetaStore,
    private readonly blobs: BlobStore,
  ) {}

  /** `atLeastBytes`: a lower bound on the file's size when the request says so (Content-Length). */
  async stage(source: Readable, atLeastBytes = 0): Promise<StagedImage> {
    // A client abort makes `source`, and so the store's iteration of the validator, throw.
    const validator = new ValidatedImage(source);
    let claimed: string | undefined;
    // The key is claimed before the blob is published, and publishing waits for any deletion of
    // the same key under way: a discard can never remove a blob we are about to be told exists.
    const beforePublish = async (key: string): Promise<void> => {
      claimed = key;
      this.staged.set(key, (this.staged.get(key) ?? 0) + 1);
      await this.deleting.get(key);
    };
    try {
      const blob = await this.blobs.put(validator, { atLeastBytes, beforePublish, holdSmall: this.blobs.putHeld !== undefined });
      return { blob, image: validator.info! };
    } catch (err) {
      if (claimed) this.release(claimed);
      throw err;
    }
  }

  async commit(principal: Principal, name: string, staged: StagedImage): Promise<string> {
    try {
      if (staged.blob.held && this.blobs.putHeld) {
        const row = fileRow(principal, name, staged);
        const { created } = await this.blobs.putHeld(staged.blob.key, staged.blob.held, {
          bytes: encodeFileRow(row),
          apply: () => this.insertJournaled(row),
        });
        if (created) {
          this.release(staged.blob.key);
          return row.fileToken;
        }
        // The same bytes were already stored, so no record (and no entry) was written: the row
        // is inserted durably below, as for a large blob.
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const row = fileRow(principal, name, staged);
        if ((await this.meta.insertFile(row)) === 'ok') {
          this.release(staged.blob.key);
          return row.fileToken;
        }
      }
      throw new Error('could not allocate a unique file token');
    } catch (err) {
      await this.discard(staged);
      throw err;
    }
  }

  /**
   * Gives a staged blob up. Removes it if we created it, no other upload holds its key and no
   * row references it. Never throws: a blob that cannot be removed now is left for gc, and the
   * caller's own error (a 400, a failed commit) is what the client must see.
   */
  async discard(staged: StagedImage): Promise<void> {
    const key = staged.blob.key;
    const lastHolder = this.release(key);
    if (!staged.blob.created || !lastHolder) return;
    const journaledRow = [...this.journaled.values()].some((j) => j.row.blobKey === key);
    if (journaledRow || (await this.meta.isBlobReferenced(key).catch(() => true))) return;
    // Another upload may have claimed the key while we asked the database.
    if (this.staged.has(key) || this.deleting.has(key)) return;
    const deletion = this.blobs.delete(key).then(
      () => {},
      () => {},
    );
    this.deleting.set(key, deletion);
    await deletion;
    this.deleting.delete(key);
  }

  async find(principal: Principal, fileToken: string): Promise<FileRow> {
    // Another tenant's token answers exactly like an unknown one: no existence leak.
    if (!validFileToken(fileToken)) throw invalidParam('file_token', 'no file with this file_token');
    const cacheKey = `${principal.tenantKey}/${fileToken}`;
    let row = this.recentRows.get(cacheKey) ?? this.journaled.get(cacheKey)?.row;
    if (!row) {
      row = await this.meta.findFile(principal.tenantKey, fileToken);
      if (!row) throw invalidParam('file_token', 'no file with this file_token');
      if (this.recentRows.size >= recentRowsMax) this.recentRows.clear();
      this.recentRows.set(cacheKey, row);
    }
    return row;
  }

  /**
   * The blob store's `apply` for a row whose record is durable: the row into the database,
   * lazily. Until that commits it is served from memory; if it fails (a full disk) it stays
   * there, and the next open of the blob store applies the entry again.
   */
  private insertJournaled(row: FileRow): Promise<void> {
    const key = `${row.tenantKey}/${row.fileToken}`;
    const inserting = this.meta.insertFile(row, { lazy: true }).then((outcome) => {
      // 22 random base62 characters: a collision is not expected in the life of the universe.
      if (outcome !== 'ok') throw new Error(`file token ${row.fileToken} collides with an existing row`);
      this.journaled.delete(key);
    });
    this.journaled.set(key, { row, inserting });
    return inserting;
  }

  /** Settles once every journaled row acknowledged so far has been committed (or has failed). */
  async flushed(): Promise<void> {
    await Promise.allSettled([...this.journaled.values()].map((j) => j.inserting));
  }

  /** Returns true when no other in-flight upload holds the key. */
  private release(key: string): boolean {
    const n = (this.staged.get(key) ?? 1) - 1;
    if (n <= 0) this.staged.delete(key);
    else this.staged.set(key, n);
    return n <= 0;
  }
}

const recentRowsMax = 10_000;

/** `boxbc` + 22 base62 characters, as in the seed's example; from a cryptographic source. */
export function newFileToken(): string {
  return 'boxbc' + randomString(22);
}

const fileTokenPattern = /^boxbc[A-Za-z0-9]{22}$/;

function validFileToken(token: string): boolean {
  return fileTokenPattern.test(token);
}

function fileRow(principal: Principal, name: string, staged: StagedImage): FileRow {
  return {
    fileToken: newFileToken(),
    tenantKey: principal.tenantKey,
    appId: principal.app.appId,
    name,
    blobKey: staged.blob.key,
    sizeBytes: staged.blob.sizeBytes,
    sha256: staged.blob.sha256,
    format: staged.image.format,
    mime: staged.image.mime,
    width: staged.image.width,
    height: staged.image.height,
    createdAtMs: Date.now(),
  };
}

