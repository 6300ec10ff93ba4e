import type { GlossaryStore } from '../../glossary/glossary-store.js';
import { repoJson } from '../../glossary/wire/entity-json.js';
import { discardBody } from '../json-request.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { lingoAccess } from './lingo-access.js';

/** GET /open-apis/lingo/v1/repos: the company-wide repo first, then those granted to the app (§12). */
export function reposListRoute(glossary: GlossaryStore): Route {
  return {
    kind: 'api',
    id: 'lingo.v1.repo.list',
    methods: ['GET'],
    pattern: /^\/open-apis\/lingo\/v1\/repos$/,
    access: lingoAccess.repoList,
    async handle(ctx, _params, principal) {
      await discardBody(ctx);
      const repos = await glossary.listRepos(principal.tenantKey, principal.app.appId);
      sendJson(ctx, 200, { code: 0, msg: 'success', data: { items: repos.map(repoJson) } });
    },
  };
}
