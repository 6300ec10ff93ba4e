import type { GlossaryStore } from '../../glossary/glossary-store.js';
import { repoJson } from '../../glossary/wire/entity-json.js';
import { discardBody } from '../json-request.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/** GET /open-apis/lingo/v1/repos: the company-wide repo first, then those granted to the app (§12). */
export function reposListRoute(glossary: GlossaryStore): Route {
  return lingoRoute({
    method: 'GET',
    pattern: /^\/open-apis\/lingo\/v1\/repos$/,
    access: lingoAccess.repoList,
    async run(ctx, _params, principal) {
      await discardBody(ctx);
      const repos = await glossary.listRepos(principal.tenantKey, principal.app.appId);
      return { items: repos.map(repoJson) };
    },
  });
}
