import type { Readable } from 'node:stream';
import type { Principal } from '../auth/tokens.js';
import { randomString } from '../random/random-pool.js';
import { invalidParam } from '../errors/lingo-error.js';
import type { ImageInfo } from '../images/types.js';
import type { FileRow, MetaStore } from '../meta/meta-store.js';
import type { BlobStore, StagedBlob } from '../storage/blob-store.js';
import { encodeFileRow, JournaledRows } from './file-journal.js';
import { ValidatedImage } from './validated-image.js';

/** A validated image whose bytes are durable but not yet visible: commit() or discard() it. */
export interface StagedImage {
  blob: StagedBlob;
  image: ImageInfo;
}

/**
 * The upload and download use cases. An upload: the file part streams through the validator into
 * the blob store, which holds the bytes durable but invisible (stage); then the blob is published
 * with its row (in the blob's own record where the store journals rows, see RowJournal), and
 * only then is a token handed out. A rejected upload discards its staged bytes: nothing was ever
 * visible.
 *
 * Uploads of the same bytes share one blob. Each holds the blob's key from stage() until its
 * commit or discard ends. A commit that fails after its blob became visible deletes the blob
 * only if no other upload holds the key and no row references it, and a publish waits for such
 * a deletion under way: no upload is ever told a blob exists that is about to go.
 */
export class FileService {
  /** How many uploads hold each blob key. */
  private readonly holders = new Map<string, number>();
  /** Deletions of the blobs of failed commits, under way; a publish of the same bytes waits for them. */
  private readonly deleting = new Map<string, Promise<void>>();
  /** File rows never change once written, so a hot file is served without a database read. */
  private readonly recentRows = new Map<string, FileRow>();
  private readonly journaled: JournaledRows;
  /** Uploads whose commit or discard has ended: a second discard releases nothing. */
  private readonly ended = new WeakSet<StagedImage>();

  constructor(
    private readonly meta: MetaStore,
    private readonly blobs: BlobStore,
  ) {
    this.journaled = new JournaledRows(meta);
  }

  /** `sizeHint`: a lower bound on the file's size when the request says so (Content-Length). */
  async stage(source: Readable, sizeHint = 0): Promise<StagedImage> {
    // A client abort makes `source`, and so the store's iteration of the validator, throw.
    const validator = new ValidatedImage(source);
    const blob = await this.blobs.stage(validator, { sizeHint });
    this.hold(blob.key);
    return { blob, image: validator.info! };
  }

  async commit(principal: Principal, name: string, staged: StagedImage): Promise<string> {
    const row = fileRow(principal, name, staged);
    try {
      await this.deleting.get(staged.blob.key);
      await staged.blob.publish({
        bytes: encodeFileRow(row),
        commit: (journaled) => (journaled ? this.journaled.insert(row) : this.insertRow(row)),
      });
    } catch (err) {
      await this.end(staged, { deleteUnused: true });
      throw err;
    }
    await this.end(staged, { deleteUnused: false });
    return row.fileToken;
  }

  /** Gives a staged upload up (its name was invalid, the request failed). Never throws. */
  async discard(staged: StagedImage): Promise<void> {
    await this.end(staged, { deleteUnused: false });
  }

  async find(principal: Principal, fileToken: string): Promise<FileRow> {
    // Another tenant's token answers exactly like an unknown one: no existence leak.
    const row = validFileToken(fileToken) ? await this.findFile(principal.tenantKey, fileToken) : undefined;
    if (!row) throw invalidParam('file_token', 'no file with this file_token');
    return row;
  }

  /**
   * The tenant's row for `fileToken`, journaled rows included: an upload is acknowledged before
   * its row reaches the database, so whatever checks a token (download, an entity's images) must
   * ask here rather than the metadata store, or a just-uploaded image looks unknown.
   */
  async findFile(tenantKey: string, fileToken: string): Promise<FileRow | undefined> {
    const cacheKey = `${tenantKey}/${fileToken}`;
    let row = this.recentRows.get(cacheKey) ?? this.journaled.find(tenantKey, fileToken);
    if (!row) {
      row = await this.meta.findFile(tenantKey, fileToken);
      if (!row) return undefined;
      if (this.recentRows.size >= recentRowsMax) this.recentRows.clear();
      this.recentRows.set(cacheKey, row);
    }
    return row;
  }

  /** Settles once every journaled row acknowledged so far has been committed (or has failed). */
  flushed(): Promise<void> {
    return this.journaled.flushed();
  }

  /** A row the store did not journal: durable when this resolves. */
  private async insertRow(row: FileRow): Promise<void> {
    // 22 random base62 characters: a collision is not expected in the life of the universe.
    if ((await this.meta.insertFile(row)) !== 'ok') throw new Error(`file token ${row.fileToken} collides with an existing row`);
  }

  /**
   * Ends an upload's hold on its blob key, dropping its staged bytes if it never published.
   * `deleteUnused` (a failed commit, whose blob may be visible): the blob is deleted if this was
   * the last upload holding the key and no row references it. Never throws: a blob that cannot
   * be removed now is left for gc, and the caller's own error is what the client must see.
   */
  private async end(staged: StagedImage, { deleteUnused }: { deleteUnused: boolean }): Promise<void> {
    if (this.ended.has(staged)) return;
    this.ended.add(staged);
    await staged.blob.discard();
    const key = staged.blob.key;
    if (!this.release(key) || !deleteUnused) return;
    if (this.journaled.references(key) || (await this.meta.isBlobReferenced(key).catch(() => true))) return;
    // Another upload may have taken the key while we asked the database.
    if (this.holders.has(key) || this.deleting.has(key)) return;
    const deletion = this.blobs.delete(key).then(
      () => {},
      () => {},
    );
    this.deleting.set(key, deletion);
    await deletion;
    this.deleting.delete(key);
  }

  private hold(key: string): void {
    this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
  }

  /** Returns true when no other upload holds the key. */
  private release(key: string): boolean {
    const n = (this.holders.get(key) ?? 1) - 1;
    if (n <= 0) this.holders.delete(key);
    else this.holders.set(key, n);
    return n <= 0;
  }
}

const recentRowsMax = 10_000;

/** `boxbc` + 22 base62 characters, as in Feishu's documented example; from a cryptographic source. */
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
    sha256: staged.blob.key,
    format: staged.image.format,
    mime: staged.image.mime,
    width: staged.image.width,
    height: staged.image.height,
    createdAtMs: Date.now(),
  };
}
