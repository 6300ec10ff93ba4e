import type { EntityService } from '../../glossary/entity-service.js';
import { discardBody } from '../json-request.js';
import { optionalString, queryOf } from '../query.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { lingoAccess } from './lingo-access.js';

/** DELETE /open-apis/lingo/v1/entities/:entity_id, or enterprise_0 with provider + outer_id (§5). */
export function entitiesDeleteRoute(entities: EntityService): Route {
  return {
    kind: 'api',
    id: 'lingo.v1.entity.delete',
    methods: ['DELETE'],
    pattern: /^\/open-apis\/lingo\/v1\/entities\/([^/]+)$/,
    access: lingoAccess.entityDelete,
    async handle(ctx, [entityId = ''], principal) {
      const query = queryOf(ctx);
      await discardBody(ctx);
      await entities.delete(principal, { entityId, provider: optionalString(query, 'provider'), outerId: optionalString(query, 'outer_id') });
      sendJson(ctx, 200, { code: 0, msg: 'success', data: {} });
    },
  };
}
