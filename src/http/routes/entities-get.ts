import type { EntityService } from '../../glossary/entity-service.js';
import { entityJson } from '../../glossary/wire/entity-json.js';
import { discardBody } from '../json-request.js';
import { optionalString, queryOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** GET /open-apis/lingo/v1/entities/:entity_id, or enterprise_0 with provider + outer_id (§6). */
export function entitiesGetRoute(entities: EntityService): Route {
  return lingoRoute({
    method: 'GET',
    pattern: /^\/open-apis\/lingo\/v1\/entities\/([^/]+)$/,
    access: lingoAccess.entityGet,
    async run(ctx, [entityId = ''], principal) {
      const query = queryOf(ctx);
      userIdTypeOf(query);
      await discardBody(ctx);
      const entity = await entities.find(principal, { entityId, provider: optionalString(query, 'provider'), outerId: optionalString(query, 'outer_id') });
      return { entity: entityJson(entity) };
    },
  });
}
