import type { EntityService } from '../../glossary/entity-service.js';
import { entityJson } from '../../glossary/wire/entity-json.js';
import { discardBody } from '../json-request.js';
import { optionalString, queryOf, userIdTypeOf } from '../query.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { lingoAccess } from './lingo-access.js';

/** GET /open-apis/lingo/v1/entities/:entity_id, or enterprise_0 with provider + outer_id (§6). */
export function entitiesGetRoute(entities: EntityService): Route {
  return {
    kind: 'api',
    id: 'lingo.v1.entity.get',
    methods: ['GET'],
    pattern: /^\/open-apis\/lingo\/v1\/entities\/([^/]+)$/,
    access: lingoAccess.entityGet,
    async handle(ctx, [entityId = ''], principal) {
      const query = queryOf(ctx);
      userIdTypeOf(query);
      await discardBody(ctx);
      const entity = await entities.find(principal, { entityId, provider: optionalString(query, 'provider'), outerId: optionalString(query, 'outer_id') });
      sendJson(ctx, 200, { code: 0, msg: 'success', data: { entity: entityJson(entity) } });
    },
  };
}
