import type { EntityService } from '../../glossary/entity-service.js';
import { discardBody } from '../json-request.js';
import { optionalString, queryOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** DELETE /open-apis/lingo/v1/entities/:entity_id, or enterprise_0 with provider + outer_id (§5). */
export function entitiesDeleteRoute(entities: EntityService): Route {
  return lingoRoute({
    method: 'DELETE',
    pattern: /^\/open-apis\/lingo\/v1\/entities\/([^/]+)$/,
    access: lingoAccess.entityDelete,
    async run(ctx, [entityId = ''], principal) {
      const query = queryOf(ctx);
      await discardBody(ctx);
      await entities.delete(principal, { entityId, provider: optionalString(query, 'provider'), outerId: optionalString(query, 'outer_id') });
      return {};
    },
  });
}
