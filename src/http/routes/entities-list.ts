import type { EntityService } from '../../glossary/entity-service.js';
import type { GlossaryStore } from '../../glossary/glossary-store.js';
import type { Paging } from '../../glossary/paging.js';
import { entityJson } from '../../glossary/wire/entity-json.js';
import { discardBody } from '../json-request.js';
import { optionalString, pageSizeOf, queryOf, repoIdOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** GET /open-apis/lingo/v1/entities: every entity of a repo in creation order, by pages (§7). */
export function entitiesListRoute(entities: EntityService, glossary: GlossaryStore, paging: Paging): Route {
  return lingoRoute({
    method: 'GET',
    pattern: /^\/open-apis\/lingo\/v1\/entities$/,
    access: lingoAccess.entityList,
    async run(ctx, _params, principal) {
      const query = queryOf(ctx);
      userIdTypeOf(query);
      const pageSize = pageSizeOf(query);
      const provider = optionalString(query, 'provider');
      const repo = await entities.repos.resolve(principal, repoIdOf(query));
      await discardBody(ctx);
      const scope = ['entity.list', principal.tenantKey, repo.id, provider ?? ''].join('\n');
      const afterSeq = await paging.cursor(scope, optionalString(query, 'page_token'));
      const rows = await glossary.listEntities({ tenantKey: principal.tenantKey, repoId: repo.id, provider, afterSeq, limit: pageSize + 1 });
      const { items, ...more } = await paging.page(scope, rows, pageSize, (e) => e.seq);
      return { entities: items.map(entityJson), ...more };
    },
  });
}
