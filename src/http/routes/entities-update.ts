import type { EntityService } from '../../glossary/entity-service.js';
import { entityJson } from '../../glossary/wire/entity-json.js';
import { parseEntityBody } from '../../glossary/wire/entity-body.js';
import { readJsonObject } from '../json-request.js';
import { queryOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** PUT /open-apis/lingo/v1/entities/:entity_id: full replace of an exempt entity (§4). */
export function entitiesUpdateRoute(entities: EntityService): Route {
  return lingoRoute({
    method: 'PUT',
    pattern: /^\/open-apis\/lingo\/v1\/entities\/([^/]+)$/,
    access: lingoAccess.entityUpdate,
    async run(ctx, [entityId = ''], principal) {
      userIdTypeOf(queryOf(ctx));
      const { content } = parseEntityBody(await readJsonObject(ctx), 'entity');
      const entity = await entities.update(principal, entityId, content);
      return { entity: entityJson(entity) };
    },
  });
}
