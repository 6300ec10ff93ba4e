import { createHash } from 'node:crypto';
import type { EntityService } from '../glossary/entity-service.js';
import type { GlossaryStore, SearchCursor } from '../glossary/glossary-store.js';
import type { Paging } from '../glossary/paging.js';
import { classificationJson, entityJson, repoJson } from '../glossary/wire/entity-json.js';
import { parseEntityBody } from '../glossary/wire/entity-body.js';
import { parseSearchBody } from '../glossary/wire/search-body.js';
import { readJsonObject } from '../http/json-request.js';
import { optionalString, pageSizeOf, repoIdOf } from '../http/query.js';
import type { Route } from '../http/route.js';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-route.js';

/**
 * Entries: the open API's EntityService and GlossaryStore, called as the console's principal, so
 * every validation message is the API's. One list operation does list and search: the search
 * body's own parser checks the query and filters (given here as query parameters).
 */
export function entityRoutes(auth: ConsoleAuth, entities: EntityService, glossary: GlossaryStore, paging: Paging): Route[] {
  return [
    consoleRoute(auth, {
      id: 'repos.list',
      methods: ['GET'],
      pattern: /^\/console\/api\/repos$/,
      run: async ({ session }) => ({
        repos: (await glossary.listRepos(session.tenantKey, null)).map((r) => ({ ...repoJson(r), company_wide: r.companyWide })),
      }),
    }),
    consoleRoute(auth, {
      id: 'classifications.list',
      methods: ['GET'],
      pattern: /^\/console\/api\/repos\/([^/]+)\/classifications$/,
      async run({ params: [repoId = ''], principal }) {
        const repo = await entities.repos.resolve(principal, repoId);
        return { classifications: (await glossary.listClassifications(repo.id, null, 1000)).map(classificationJson) };
      },
    }),
    consoleRoute(auth, {
      id: 'entities.list',
      methods: ['GET'],
      pattern: /^\/console\/api\/entities$/,
      async run({ principal, query }) {
        const pageSize = pageSizeOf(query);
        const repo = await entities.repos.resolve(principal, repoIdOf(query));
        const classification = optionalString(query, 'classification_id');
        const source = optionalString(query, 'source');
        const body = parseSearchBody({
          query: optionalString(query, 'query'),
          ...(classification !== null && { classification_filter: { include: [classification] } }),
          ...(source !== null && { sources: [Number(source)] }),
        });
        const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('base64url');
        const scope = ['console.entities', principal.tenantKey, repo.id, fingerprint].join('\n');
        const cursor = await paging.cursor(scope, optionalString(query, 'page_token'));
        const after: SearchCursor | null =
          cursor === null ? null : { rank: Number(cursor.split(':')[0]) as SearchCursor['rank'], seq: cursor.split(':')[1] ?? '' };
        const hits = await glossary.searchEntities(
          {
            tenantKey: principal.tenantKey,
            repoId: repo.id,
            query: body.query,
            classificationInclude: body.include,
            classificationExclude: [],
            sources: body.sources,
            creators: [],
          },
          after,
          pageSize + 1,
        );
        const { items, ...more } = await paging.page(scope, hits, pageSize, (h) => `${h.rank}:${h.entity.seq}`);
        return { entities: items.map((h) => entityJson(h.entity)), ...more };
      },
    }),
    consoleRoute(auth, {
      id: 'entities.create',
      methods: ['POST'],
      pattern: /^\/console\/api\/entities$/,
      async run({ ctx, principal, query }) {
        const { content } = parseEntityBody(await readJsonObject(ctx), 'entity');
        return { entity: entityJson(await entities.create(principal, repoIdOf(query), content)) };
      },
    }),
    consoleRoute(auth, {
      id: 'entities.get',
      methods: ['GET'],
      pattern: /^\/console\/api\/entities\/([^/]+)$/,
      async run({ params: [id = ''], principal }) {
        const entity = await entities.find(principal, { entityId: id, provider: null, outerId: null });
        return { entity: entityJson(entity), repo_id: entity.repoId };
      },
    }),
    consoleRoute(auth, {
      id: 'entities.update',
      methods: ['PUT'],
      pattern: /^\/console\/api\/entities\/([^/]+)$/,
      async run({ ctx, params: [id = ''], principal }) {
        const { content } = parseEntityBody(await readJsonObject(ctx), 'entity');
        return { entity: entityJson(await entities.update(principal, id, content)) };
      },
    }),
    consoleRoute(auth, {
      id: 'entities.delete',
      methods: ['DELETE'],
      pattern: /^\/console\/api\/entities\/([^/]+)$/,
      async run({ params: [id = ''], principal }) {
        await entities.delete(principal, { entityId: id, provider: null, outerId: null });
        return {};
      },
    }),
  ];
}
