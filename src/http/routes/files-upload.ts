import type { FileService } from '../../files/file-service.js';
import { receiveUpload } from '../multipart-upload.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';

/** POST /open-apis/lingo/v1/files/upload: the route of Feishu's upload document that this server exists for. */
export function filesUploadRoute(files: FileService): Route {
  return {
    kind: 'api',
    id: 'lingo.v1.file.upload',
    methods: ['POST'],
    pattern: /^\/open-apis\/lingo\/v1\/files\/upload$/,
    access: {
      tokenKinds: ['tenant', 'user'],
      anyOfScopes: ['baike:entity', 'baike:entity:exempt_review'],
      selfBuiltOnly: true,
      rateLimitId: 'lingo.v1.file.upload',
      rateTier: 4,
    },
    async handle(ctx, _params, principal) {
      const { fileToken, bytes } = await receiveUpload(ctx.req, files, principal);
      ctx.log.info({ logId: ctx.logId, app: principal.app.appId, bytes }, 'file uploaded');
      sendJson(ctx, 200, { code: 0, msg: 'success', data: { file_token: fileToken } });
    },
  };
}
