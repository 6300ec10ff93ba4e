import type { DraftService } from '../../glossary/draft-service.js';
import { draftJson } from '../../glossary/wire/entity-json.js';
import { parseEntityBody } from '../../glossary/wire/entity-body.js';
import { readJsonObject } from '../json-request.js';
import { queryOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** PUT /open-apis/lingo/v1/drafts/:draft_id: while pending only; reviewed → 403 2250100 (§14). */
export function draftsUpdateRoute(drafts: DraftService): Route {
  return lingoRoute({
    method: 'PUT',
    pattern: /^\/open-apis\/lingo\/v1\/drafts\/([^/]+)$/,
    access: lingoAccess.draftUpdate,
    async run(ctx, [draftId = ''], principal) {
      userIdTypeOf(queryOf(ctx));
      const { content, targetId } = parseEntityBody(await readJsonObject(ctx), 'draft-update');
      const draft = await drafts.update(principal, draftId, content, targetId);
      return { draft: draftJson(draft) };
    },
  });
}
