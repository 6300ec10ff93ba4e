import { pipeline } from 'node:stream/promises';
import type { FileService } from '../files/file-service.js';
import { invalidParam } from '../errors/lingo-error.js';
import type { GlossaryStore } from '../glossary/glossary-store.js';
import { receiveUpload } from '../http/multipart-upload.js';
import { optionalString } from '../http/query.js';
import type { Route } from '../http/route.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-route.js';
import { thumbnailSizes, Thumbnails, type ThumbnailSize } from './thumbnails.js';

const galleryPage = 48;

/** Images: the gallery, uploads (the open API's multipart form and FileService), thumbnails and full size. */
export function fileRoutes(auth: ConsoleAuth, files: FileService, blobs: BlobStore, glossary: GlossaryStore): Route[] {
  const thumbnails = new Thumbnails(blobs);
  return [
    consoleRoute(auth, {
      id: 'files.list',
      methods: ['GET'],
      pattern: /^\/console\/api\/files$/,
      async run({ session, query }) {
        const before = optionalString(query, 'before');
        const [at, token] = before?.split('.') ?? [];
        const cursor = at !== undefined && token !== undefined && /^[0-9]{1,16}$/.test(at) ? { createdAtMs: Number(at), fileToken: token } : null;
        // Uploads acknowledged but whose rows are still only journaled are listed too.
        await files.flushed();
        const rows = await glossary.listTenantFiles(session.tenantKey, cursor, galleryPage + 1);
        const items = rows.slice(0, galleryPage);
        const last = items.at(-1);
        return {
          files: items.map((f) => ({
            file_token: f.fileToken,
            name: f.name,
            format: f.format,
            size: f.sizeBytes,
            width: f.width,
            height: f.height,
            created_at: Math.floor(f.createdAtMs / 1000),
          })),
          ...(rows.length > galleryPage && last && { before: `${last.createdAtMs}.${last.fileToken}` }),
        };
      },
    }),
    consoleRoute(auth, {
      id: 'files.upload',
      methods: ['POST'],
      pattern: /^\/console\/api\/files$/,
      async run({ ctx, principal }) {
        return { file_token: (await receiveUpload(ctx.req, files, principal)).fileToken };
      },
    }),
    consoleRoute(auth, {
      id: 'files.thumbnail',
      methods: ['GET'],
      pattern: /^\/console\/api\/files\/([^/]+)\/thumbnail$/,
      async run({ ctx, params: [fileToken = ''], principal, query }) {
        const size = Number(optionalString(query, 'size') ?? thumbnailSizes[0]);
        if (!(thumbnailSizes as readonly number[]).includes(size)) throw invalidParam('size', `must be one of ${thumbnailSizes.join(', ')}`);
        const row = await files.find(principal, fileToken);
        if (!thumbnails.canRead(row.format)) {
          // sharp reads neither BMP nor ICO; browsers do: the image itself stands in.
          ctx.res.writeHead(303, { Location: `/console/api/files/${encodeURIComponent(row.fileToken)}/content`, 'Content-Length': 0 });
          ctx.res.end();
          return 'sent';
        }
        const webp = await thumbnails.get(row.blobKey, size as ThumbnailSize);
        ctx.res.writeHead(200, { 'Content-Type': 'image/webp', 'Content-Length': webp.length, 'Cache-Control': 'private, max-age=86400' });
        ctx.res.end(ctx.req.method === 'HEAD' ? undefined : webp);
        return 'sent';
      },
    }),
    consoleRoute(auth, {
      id: 'files.content',
      methods: ['GET'],
      pattern: /^\/console\/api\/files\/([^/]+)\/content$/,
      async run({ ctx, params: [fileToken = ''], principal }) {
        const row = await files.find(principal, fileToken);
        const stream = await blobs.get(row.blobKey);
        ctx.res.writeHead(200, { 'Content-Type': row.mime, 'Content-Length': row.sizeBytes, 'Cache-Control': 'private, max-age=86400' });
        await pipeline(stream, ctx.res);
        return 'sent';
      },
    }),
  ];
}
