import type { DraftService } from '../../glossary/draft-service.js';
import { draftJson } from '../../glossary/wire/entity-json.js';
import { parseEntityBody } from '../../glossary/wire/entity-body.js';
import { readJsonObject } from '../json-request.js';
import { queryOf, repoIdOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** POST /open-apis/lingo/v1/drafts: ask for a new entity, or an overwrite of one, pending review (§13). */
export function draftsCreateRoute(drafts: DraftService): Route {
  return lingoRoute({
    method: 'POST',
    pattern: /^\/open-apis\/lingo\/v1\/drafts$/,
    access: lingoAccess.draftCreate,
    async run(ctx, _params, principal) {
      const query = queryOf(ctx);
      userIdTypeOf(query);
      const repoId = repoIdOf(query);
      const { content, targetId } = parseEntityBody(await readJsonObject(ctx), 'draft-create');
      const draft = await drafts.create(principal, repoId, content, targetId);
      return { draft: draftJson(draft) };
    },
  });
}
