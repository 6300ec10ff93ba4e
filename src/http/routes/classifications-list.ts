import type { EntityService } from '../../glossary/entity-service.js';
import type { GlossaryStore } from '../../glossary/glossary-store.js';
import type { Paging } from '../../glossary/paging.js';
import { classificationJson } from '../../glossary/wire/entity-json.js';
import { discardBody } from '../json-request.js';
import { optionalString, pageSizeOf, queryOf, repoIdOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** GET /open-apis/lingo/v1/classifications: both levels of a repo's classifications by id (§11). */
export function classificationsListRoute(entities: EntityService, glossary: GlossaryStore, paging: Paging): Route {
  return lingoRoute({
    method: 'GET',
    pattern: /^\/open-apis\/lingo\/v1\/classifications$/,
    access: lingoAccess.classificationList,
    async run(ctx, _params, principal) {
      const query = queryOf(ctx);
      const pageSize = pageSizeOf(query);
      const repo = await entities.repos.resolve(principal, repoIdOf(query));
      await discardBody(ctx);
      const scope = ['classification.list', principal.tenantKey, repo.id].join('\n');
      const afterId = await paging.cursor(scope, optionalString(query, 'page_token'));
      const rows = await glossary.listClassifications(repo.id, afterId, pageSize + 1);
      const { items, ...more } = await paging.page(scope, rows, pageSize, (c) => c.id);
      return { items: items.map(classificationJson), ...more };
    },
  });
}
