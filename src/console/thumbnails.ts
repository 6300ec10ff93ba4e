import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import type { BlobStore } from '../storage/blob-store.js';

export const thumbnailSizes = [160, 480] as const;
export type ThumbnailSize = (typeof thumbnailSizes)[number];

/** Entries kept; a thumbnail is a few KiB, so this bounds the cache to a few MiB. */
const maxEntries = 500;

/**
 * WebP thumbnails made by sharp from the stored blob, cached in memory by (blob key, size): blobs
 * are content-addressed, so a key's thumbnail never goes stale. The blob is only read; sharp
 * works on a copy in memory, and its pixel limit guards against decompression bombs.
 */
export class Thumbnails {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly blobs: BlobStore) {}

  /** The stored formats sharp (libvips) decodes; BMP and ICO are not among them. */
  canRead(format: string): boolean {
    return format === 'png' || format === 'jpeg' || format === 'gif' || format === 'webp';
  }

  get(blobKey: string, size: ThumbnailSize): Promise<Buffer> {
    const key = `${blobKey}:${size}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Least recently used goes first: re-insert on every hit.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const made = this.make(blobKey, size);
    made.catch(() => this.cache.delete(key));
    if (this.cache.size >= maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, made);
    return made;
  }

  private async make(blobKey: string, size: ThumbnailSize): Promise<Buffer> {
    const bytes = await buffer(await this.blobs.get(blobKey));
    return sharp(bytes, { limitInputPixels: 4096 * 4096, animated: false })
      .rotate()
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  }
}
