import type { EntityService } from '../../glossary/entity-service.js';
import type { GlossaryStore } from '../../glossary/glossary-store.js';
import { entityWireId } from '../../glossary/model.js';
import { requiredText } from '../../glossary/wire/search-body.js';
import { readJsonObject } from '../json-request.js';
import { queryOf, repoIdOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** POST /open-apis/lingo/v1/entities/match: exact match on main keys, full names and aliases (§8). */
export function entitiesMatchRoute(entities: EntityService, glossary: GlossaryStore): Route {
  return lingoRoute({
    method: 'POST',
    pattern: /^\/open-apis\/lingo\/v1\/entities\/match$/,
    access: lingoAccess.entityMatch,
    async run(ctx, _params, principal) {
      const repo = await entities.repos.resolve(principal, repoIdOf(queryOf(ctx)));
      const word = requiredText(await readJsonObject(ctx), 'word', 100);
      const matches = await glossary.matchEntities(principal.tenantKey, repo.id, word);
      const results = matches.map((m) => ({ entity_id: entityWireId(m.seq), type: m.type }));
      return { results };
    },
  });
}
