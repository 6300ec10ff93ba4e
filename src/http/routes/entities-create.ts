import type { EntityService } from '../../glossary/entity-service.js';
import { entityJson } from '../../glossary/wire/entity-json.js';
import { parseEntityBody } from '../../glossary/wire/entity-body.js';
import { readJsonObject } from '../json-request.js';
import { queryOf, repoIdOf, userIdTypeOf } from '../query.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** POST /open-apis/lingo/v1/entities: create an exempt entity (§3). */
export function entitiesCreateRoute(entities: EntityService): Route {
  return lingoRoute({
    method: 'POST',
    pattern: /^\/open-apis\/lingo\/v1\/entities$/,
    access: lingoAccess.entityCreate,
    async run(ctx, _params, principal) {
      const query = queryOf(ctx);
      userIdTypeOf(query);
      const repoId = repoIdOf(query);
      const { content } = parseEntityBody(await readJsonObject(ctx), 'entity');
      const entity = await entities.create(principal, repoId, content);
      return { entity: entityJson(entity) };
    },
  });
}
