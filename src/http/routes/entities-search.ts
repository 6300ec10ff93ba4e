import { createHash } from 'node:crypto';
import type { EntityService } from '../../glossary/entity-service.js';
import type { GlossaryStore, SearchCursor } from '../../glossary/glossary-store.js';
import type { Paging } from '../../glossary/paging.js';
import { entityJson } from '../../glossary/wire/entity-json.js';
import { parseSearchBody } from '../../glossary/wire/search-body.js';
import { readJsonObject } from '../json-request.js';
import { optionalString, pageSizeOf, queryOf, repoIdOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/**
 * POST /open-apis/lingo/v1/entities/search (§9): a case-insensitive substring over keys, aliases
 * and descriptions, main-key hits first, then alias hits, then description hits. Paging is in
 * the query although the method is POST.
 */
export function entitiesSearchRoute(entities: EntityService, glossary: GlossaryStore, paging: Paging): Route {
  return lingoRoute({
    method: 'POST',
    pattern: /^\/open-apis\/lingo\/v1\/entities\/search$/,
    access: lingoAccess.entitySearch,
    async run(ctx, _params, principal) {
      const query = queryOf(ctx);
      userIdTypeOf(query);
      const pageSize = pageSizeOf(query);
      const pageToken = optionalString(query, 'page_token');
      const repo = await entities.repos.resolve(principal, repoIdOf(query));
      const body = parseSearchBody(await readJsonObject(ctx));
      // A token continues the same search only: the filters are part of what it is sealed for.
      const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('base64url');
      const scope = ['entity.search', principal.tenantKey, repo.id, fingerprint].join('\n');
      const cursor = await paging.cursor(scope, pageToken);
      const after: SearchCursor | null = cursor === null ? null : parseCursor(cursor);
      const hits = await glossary.searchEntities(
        {
          tenantKey: principal.tenantKey,
          repoId: repo.id,
          query: body.query,
          classificationInclude: body.include,
          classificationExclude: body.exclude,
          sources: body.sources,
          creators: body.creators,
        },
        after,
        pageSize + 1,
      );
      const { items, ...more } = await paging.page(scope, hits, pageSize, (h) => `${h.rank}:${h.entity.seq}`);
      return { entities: items.map((h) => entityJson(h.entity)), ...more };
    },
  });
}

/** Only ever parses what this route sealed (the token is signed). */
function parseCursor(cursor: string): SearchCursor {
  const [rank, seq = ''] = cursor.split(':');
  return { rank: Number(rank) as SearchCursor['rank'], seq };
}
