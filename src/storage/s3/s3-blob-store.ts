import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { ConfigError } from '../../config/config.js';
import { instrument, type BackendCallSink } from '../../observe/instrument.js';
import {
  assertBlobKey,
  BlobNotFoundError,
  type BlobListing,
  type BlobStore,
  type ByteRange,
  type DeleteOptions,
  type RowJournal,
  type StagedBlob,
} from '../blob-store.js';
import { BlobLedger } from './blob-ledger.js';
import { isMissing, isRetryable } from './s3-errors.js';
import { createS3Client, defaultS3ClientLimits, timeRequests, type S3ClientLimits, type S3Location } from './s3-client.js';
import { Spool, type SpooledBody } from './spool.js';
import { withinRange } from './ranged-body.js';

export interface S3BlobStoreOptions {
  location: S3Location;
  /** Local scratch for upload bodies larger than `memoryMaxBytes`, until they are PUT. */
  tempDir: string;
  memoryMaxBytes: number;
  limits?: S3ClientLimits;
  /** How long an upload waits for another instance's PUT of the same bytes before making its own. */
  pendingWaitMs?: number;
  /**
   * Times what a blob-store call is made of, for the metrics: each S3 request (store `s3`) and
   * each ledger statement (store `ledger`). The store's own calls are timed by its caller.
   */
  observe?: BackendCallSink;
}

/** Claims (and re-claims after gc took the blob) before an upload gives up. */
const maxClaims = 8;

/**
 * Blobs as objects `<prefix>/<sha256>` in an S3-compatible bucket, shared by every instance, with
 * their ledger in PostgreSQL (blob-ledger.ts). An upload: stage() validates, hashes and spools
 * the body locally (nothing reaches S3 before the last byte is checked); publish() claims the key
 * in the ledger, PUTs the object (or finds it stored), marks it stored, has the row committed,
 * and then confirms under a share lock that gc has not taken the object meanwhile, putting it
 * back if it has. So an acknowledged file's blob exists, whatever gc and other instances did.
 *
 * There is no writer lock: instances share the bucket. Objects are never written twice at once
 * by design (a second upload of the same bytes waits for the first PUT), which keeps servers
 * without atomic PUTs (s3rver) from serving torn objects.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly ledger: BlobLedger;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly limits: S3ClientLimits;
  private readonly pendingWaitMs: number;
  private readonly spool: Spool;
  private readonly publishing = new Set<Promise<unknown>>();

  constructor(options: S3BlobStoreOptions, ledgerPool: pg.Pool) {
    this.limits = options.limits ?? defaultS3ClientLimits;
    this.client = createS3Client(options.location, this.limits);
    const ledger = new BlobLedger(ledgerPool);
    this.ledger = options.observe ? instrument(ledger, { store: 'ledger', backend: 'postgres' }, options.observe) : ledger;
    if (options.observe) timeRequests(this.client, options.observe);
    this.bucket = options.location.bucket;
    this.prefix = options.location.prefix.replace(/^\/+|\/+$/g, '');
    this.pendingWaitMs = options.pendingWaitMs ?? 10_000;
    fs.mkdirSync(options.tempDir, { recursive: true });
    this.spool = new Spool(options.tempDir, options.memoryMaxBytes);
  }

  /**
   * Checks that the bucket answers and the ledger exists; if not, a ConfigError (exit 2 at start)
   * naming the settings to check. `exclusive` means nothing here: every instance writes.
   */
  async open(_options: { exclusive: boolean }): Promise<void> {
    try {
      await this.headBucket();
    } catch (err) {
      // Never the endpoint itself: it may carry a password.
      const settings = '--s3-bucket, --s3-endpoint, --s3-region, --s3-force-path-style and the AWS credentials';
      throw new ConfigError(`S3 bucket ${JSON.stringify(this.bucket)} is not reachable (check ${settings}): ${describe(err)}`, { cause: err });
    }
    await this.ledger.check();
  }

  async stage(source: AsyncIterable<Buffer>): Promise<StagedBlob> {
    const body = await this.spool.take(source);
    return new StagedObject(body, (row) => this.track(this.publish(body, row)));
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    let output;
    try {
      output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
    } catch (err) {
      if (isMissing(err)) throw new BlobNotFoundError(key);
      throw err;
    }
    // A Node IncomingMessage: destroying it (a client that went away) destroys its socket, so an
    // abandoned download never holds one of the client's sockets.
    const body = output.Body as Readable;
    // A server that ignores Range answers 200 with the whole object: cut it here.
    return range && output.ContentRange === undefined ? withinRange(body, range) : body;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    assertBlobKey(key);
    if (!(await this.ledger.markDeleting(key, options.unlessTouchedSinceMs))) return false;
    return this.ledger.deleteMarked(key, async () => {
      // One object per call: DeleteObjects requires a checksum some servers refuse.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    });
  }

  keys(): AsyncIterable<BlobListing> {
    return this.ledger.list();
  }

  sweepTemp(olderThanMs: number): Promise<number> {
    return this.spool.sweep(olderThanMs);
  }

  async ping(): Promise<void> {
    await this.headBucket();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.publishing]);
    this.client.destroy();
  }

  private async publish(body: SpooledBody, row: RowJournal): Promise<{ created: boolean }> {
    const key = body.sha256;
    const created = await this.storeObject(body);
    await row.commit(false);
    // gc may have taken the blob between the PUT and the row's commit (its check of the file
    // rows ran just before ours landed). The share lock waits for a deletion in progress.
    for (let repairs = 0; !(await this.ledger.isStored(key)); repairs++) {
      if (repairs >= maxClaims) throw new Error(`blob ${key}: gc removed it ${repairs} times while its row was committed`);
      await this.storeObject(body);
    }
    return { created };
  }

  /** Makes the object exist and its ledger row `stored`; true when this upload's PUT created it. */
  private async storeObject(body: SpooledBody): Promise<boolean> {
    const key = body.sha256;
    for (let claims = 0; claims < maxClaims; claims++) {
      const claim = await this.ledger.claim(key, body.sizeBytes);
      if (claim.state === 'stored') {
        if (await this.objectExists(key)) return false;
        // Stored, yet gone from the bucket (emptied by hand): put it back.
        await this.putObject(body);
        return true;
      }
      if (!claim.started) {
        const other = await this.awaitOtherPut(key, claim.epoch);
        if (other === 'stored') return false;
        if (other === 'changed') continue;
        // 'slow': that upload may have died with its instance; PUT in its epoch (same bytes).
      }
      await this.putObject(body);
      if (await this.ledger.markStored(key, claim.epoch)) return claim.started;
      // gc marked or removed the row after our claim: the object may be gone. Claim again.
    }
    throw new Error(`blob ${key}: gave up after ${maxClaims} claims, each ended by gc`);
  }

  /** Polls the ledger while another upload PUTs the same bytes, within `pendingWaitMs`. */
  private async awaitOtherPut(key: string, epoch: string): Promise<'stored' | 'changed' | 'slow'> {
    const deadline = Date.now() + this.pendingWaitMs;
    for (let delayMs = 5; Date.now() < deadline; delayMs = Math.min(delayMs * 2, 200)) {
      await sleep(delayMs);
      const row = await this.ledger.peek(key);
      if (row?.state === 'stored') return 'stored';
      if (row?.state !== 'pending' || row.epoch !== epoch) return 'changed';
    }
    return 'slow';
  }

  /**
   * One PUT with the length and Content-MD5 known up front (no chunked encoding, no trailer).
   * The SDK does not retry a streamed body (it cannot rewind it), so a spooled file is retried
   * here, each attempt with a fresh stream; a Buffer is retried by the SDK itself. The SDK pipes a
   * stream without watching it: a read error would leave the request hanging, so it aborts it.
   */
  private async putObject(body: SpooledBody): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const content = await body.open();
      const abort = new AbortController();
      let readError: Error | undefined;
      if (!Buffer.isBuffer(content)) {
        content.once('error', (err: Error) => {
          readError = err;
          abort.abort();
        });
      }
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(body.sha256),
            Body: content,
            ContentLength: body.sizeBytes,
            ContentMD5: body.md5,
            ContentType: 'application/octet-stream',
          }),
          { abortSignal: abort.signal },
        );
        return;
      } catch (err) {
        if (readError !== undefined) throw readError;
        if (Buffer.isBuffer(content) || attempt >= this.limits.maxAttempts || !isRetryable(err)) throw err;
        await sleep(100 * 2 ** attempt);
      } finally {
        if (!Buffer.isBuffer(content)) content.destroy();
      }
    }
  }

  private async objectExists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  private async headBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** Publishes under way: close() waits for them. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.publishing.add(work);
    const forget = (): void => void this.publishing.delete(work);
    work.then(forget, forget);
    return work;
  }
}

/** Spooled bytes waiting for publish() or discard(). */
class StagedObject implements StagedBlob {
  private state: 'staged' | 'published' | 'discarded' = 'staged';

  constructor(
    private readonly body: SpooledBody,
    private readonly publishBody: (row: RowJournal) => Promise<{ created: boolean }>,
  ) {}

  get key(): string {
    return this.body.sha256;
  }

  get sizeBytes(): number {
    return this.body.sizeBytes;
  }

  async publish(row: RowJournal): Promise<{ created: boolean }> {
    if (this.state !== 'staged') throw new Error(`blob ${this.key} was already ${this.state}`);
    this.state = 'published';
    try {
      return await this.publishBody(row);
    } finally {
      await this.body.drop();
    }
  }

  async discard(): Promise<void> {
    if (this.state !== 'staged') return;
    this.state = 'discarded';
    await this.body.drop();
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined ? `${err.name}: ${err.message}` : `${err.name} (HTTP ${status})`;
}
