import { pipeline } from 'node:stream/promises';
import { LingoError } from '../../errors/lingo-error.js';
import type { FileService } from '../../files/file-service.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { parseRange } from '../byte-range.js';
import { contentDisposition } from '../content-disposition.js';
import type { Route } from '../route.js';

/** GET|HEAD /open-apis/lingo/v1/files/:file_token/download */
export function filesDownloadRoute(files: FileService, blobs: BlobStore): Route {
  return {
    kind: 'api',
    id: 'lingo.v1.file.download',
    methods: ['GET', 'HEAD'],
    pattern: /^\/open-apis\/lingo\/v1\/files\/([^/]+)\/download$/,
    access: {
      tokenKinds: ['tenant', 'user'],
      anyOfScopes: ['baike:entity', 'baike:entity:readonly', 'baike:entity:exempt_review'],
      selfBuiltOnly: true,
      rateLimitId: 'lingo.v1.file.download',
      rateTier: 4,
    },
    async handle(ctx, [fileToken = ''], principal) {
      const { req, res } = ctx;
      // The Node SDK sends this GET with a JSON body `{}`; it is ignored (and drained by Node).
      const row = await files.find(principal, fileToken);
      const etag = `"${row.sha256}"`;
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.setHeader('Accept-Ranges', 'bytes');
      if (matchesEtag(req.headers['if-none-match'], etag)) {
        res.statusCode = 304;
        res.end();
        return;
      }
      const ifRange = req.headers['if-range'];
      const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, row.sizeBytes) : { kind: 'none' as const };
      if (range.kind === 'unsatisfiable') {
        throw new LingoError('rangeNotSatisfiable', {
          fieldViolations: [{ field: 'Range', description: `range is outside the file's ${row.sizeBytes} bytes` }],
          headers: { 'Content-Range': `bytes */${row.sizeBytes}` },
        });
      }
      // Everything a HEAD answers is in the row: no blob read (on S3, no GetObject). A GET opens
      // the blob before its headers are set, so a missing blob still gets a clean error answer.
      const stream = req.method === 'HEAD' ? undefined : await blobs.get(row.blobKey, range.kind === 'range' ? range.range : undefined);
      res.setHeader('Content-Type', row.mime);
      res.setHeader('Content-Disposition', contentDisposition(row.name));
      if (range.kind === 'range') {
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${range.range.start}-${range.range.end}/${row.sizeBytes}`);
        res.setHeader('Content-Length', range.range.end - range.range.start + 1);
      } else {
        res.statusCode = 200;
        res.setHeader('Content-Length', row.sizeBytes);
      }
      if (!stream) {
        res.end();
        return;
      }
      await pipeline(stream, res);
    },
  };
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
