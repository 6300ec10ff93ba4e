import type { Principal } from '../../auth/tokens.js';
import type { RequestContext } from '../context.js';
import { sendJson } from '../respond.js';
import type { ApiAccess, Route } from '../route.js';

/**
 * The gateway rules of every Lingo v1 JSON operation (spec §0), in one table. Every Lingo page
 * found marks its API for self-built apps (`<md-app-support types="custom">`), as upload's does.
 */
const readScopes = ['baike:entity:exempt_review', 'baike:entity', 'baike:entity:readonly'];
const draftScopes = ['baike:entity:exempt_review', 'baike:entity'];
const both = ['tenant', 'user'] as const;

function access(rateLimitId: string, tokenKinds: ApiAccess['tokenKinds'], anyOfScopes: string[], rateTier: ApiAccess['rateTier']): ApiAccess {
  return { rateLimitId, tokenKinds, anyOfScopes, rateTier, selfBuiltOnly: true };
}

export const lingoAccess = {
  entityCreate: access('lingo.v1.entity.create', ['tenant'], ['baike:entity:exempt_review'], 3),
  entityUpdate: access('lingo.v1.entity.update', ['tenant'], ['baike:entity:exempt_review'], 3),
  entityDelete: access('lingo.v1.entity.delete', ['tenant'], ['baike:entity:exempt_delete'], 4),
  entityGet: access('lingo.v1.entity.get', both, readScopes, 4),
  entityList: access('lingo.v1.entity.list', both, readScopes, 4),
  entityMatch: access('lingo.v1.entity.match', both, readScopes, 4),
  entitySearch: access('lingo.v1.entity.search', both, readScopes, 4),
  entityHighlight: access('lingo.v1.entity.highlight', both, readScopes, 4),
  classificationList: access('lingo.v1.classification.list', both, readScopes, 4),
  repoList: access('lingo.v1.repo.list', both, readScopes, 4),
  draftCreate: access('lingo.v1.draft.create', both, draftScopes, 3),
  draftUpdate: access('lingo.v1.draft.update', both, draftScopes, 3),
} satisfies Record<string, ApiAccess>;

/** One Lingo JSON operation: its handler returns the `data` of the success envelope. */
export interface LingoOperation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: RegExp;
  access: ApiAccess;
  run(ctx: RequestContext, params: string[], principal: Principal): Promise<Record<string, unknown>>;
}

export function lingoRoute(op: LingoOperation): Route {
  return {
    kind: 'api',
    id: op.access.rateLimitId,
    methods: [op.method],
    pattern: op.pattern,
    access: op.access,
    async handle(ctx, params, principal) {
      sendJson(ctx, 200, { code: 0, msg: 'success', data: await op.run(ctx, params, principal) });
    },
  };
}
