import { uploadLimits } from '../../files/upload-rules.js';
import { jsonSuccess, pathParam, type OperationDescriptor } from '../descriptor.js';
import { obj, str } from '../json-schema.js';

/** Upload and download (src/http/routes/files-upload.ts, files-download.ts; docs/api.md#upload). */

const fileToken = pathParam('file_token', { type: 'string', pattern: '^boxbc[A-Za-z0-9]{22}$' }, 'as upload answered it');
const imageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp', 'image/vnd.microsoft.icon'];
const imageContent = Object.fromEntries(imageTypes.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }]));

const downloadHeaders = {
  ETag: { description: 'the SHA-256 of the bytes, quoted (strong)', required: true, schema: { type: 'string' } },
  'Content-Disposition': { description: 'attachment; filename="…"; filename*=UTF-8\'\'… (the uploaded name)', required: true, schema: { type: 'string' } },
  'Accept-Ranges': { required: true, schema: { type: 'string', const: 'bytes' } },
  'Cache-Control': { schema: { type: 'string' } },
};

const upload: OperationDescriptor = {
  routeId: 'lingo.v1.file.upload',
  path: '/open-apis/lingo/v1/files/upload',
  tag: 'file',
  summary: 'Upload an entry image',
  description:
    'Exactly one `name` and one `file` part, in either order, at most 3 parts; each part header under 8 KiB. The format comes ' +
    `from the bytes (PNG, JPEG, GIF, BMP, WebP, ICO), checked structurally; ${uploadLimits.minFileBytes}-${uploadLimits.maxFileBytes} bytes; ` +
    `width and height each ${uploadLimits.minDimensionPx}-${uploadLimits.maxDimensionPx} px. The answer comes once the blob and its row are durable.`,
  requestBody: {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['name', 'file'],
          properties: {
            name: str({
              min: uploadLimits.minNameCodePoints,
              max: uploadLimits.maxNameCodePoints,
              pattern: '^[^\\u0000-\\u001f\\u007f]*$',
              description: 'valid UTF-8, no C0 control character or DEL; the name download answers with',
            }),
            file: {
              type: 'string',
              contentMediaType: 'application/octet-stream',
              description: `the image, ${uploadLimits.minFileBytes}-${uploadLimits.maxFileBytes} bytes; the part's filename and Content-Type are ignored`,
            },
          },
        },
      },
    },
  },
  responses: jsonSuccess('stored', obj('out', { file_token: str({ pattern: '^boxbc[A-Za-z0-9]{22}$' }) }, ['file_token'])),
  errors: ['invalidParam', 'internal'],
};

const download: OperationDescriptor = {
  routeId: 'lingo.v1.file.download',
  path: '/open-apis/lingo/v1/files/{file_token}/download',
  tag: 'file',
  summary: 'Download an uploaded image',
  description:
    'The exact uploaded bytes. An unknown token and one of another tenant answer the same 400. A body on the GET (the Node SDK sends `{}`) is ignored.',
  parameters: [
    fileToken,
    { name: 'Range', in: 'header', description: 'one byte range; several ranges answer the whole file', schema: { type: 'string' } },
    { name: 'If-None-Match', in: 'header', description: 'the ETag: 304', schema: { type: 'string' } },
    { name: 'If-Range', in: 'header', description: 'the ETag: the Range applies only while it matches', schema: { type: 'string' } },
  ],
  responses: {
    '200': { description: 'the whole file; Content-Type from the detected format', headers: downloadHeaders, content: imageContent },
    '206': {
      description: 'the requested range',
      headers: { ...downloadHeaders, 'Content-Range': { required: true, schema: { type: 'string', pattern: '^bytes [0-9]+-[0-9]+/[0-9]+$' } } },
      content: imageContent,
    },
    '304': { description: 'If-None-Match matched', headers: { ETag: downloadHeaders.ETag } },
  },
  errors: ['invalidParam', 'rangeNotSatisfiable', 'internal'],
};

export const fileOperations: OperationDescriptor[] = [upload, download];
