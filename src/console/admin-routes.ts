import { createApp } from '../auth/apps.js';
import { invalidParam } from '../errors/lingo-error.js';
import type { EntityService } from '../glossary/entity-service.js';
import type { GlossaryStore } from '../glossary/glossary-store.js';
import { classificationJson, repoJson } from '../glossary/wire/entity-json.js';
import { readJsonObject } from '../http/json-request.js';
import type { Route } from '../http/route.js';
import type { MetaStore } from '../meta/meta-store.js';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-route.js';

/** Scopes an app may be given here: the ones lingo-server checks. */
export const grantableScopes = ['baike:entity', 'baike:entity:exempt_review', 'baike:entity:exempt_delete', 'baike:entity:readonly'] as const;

function nameOf(body: Record<string, unknown>, max: number): string {
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (name.length === 0 || [...name].length > max) throw invalidParam('name', `must be 1-${max} characters`);
  return name;
}

/** Repos, grants, classifications and apps of the session's tenant: what the CLI's admin commands do. */
export function adminRoutes(auth: ConsoleAuth, meta: MetaStore, glossary: GlossaryStore, entities: EntityService): Route[] {
  return [
    consoleRoute(auth, {
      id: 'repos.create',
      methods: ['POST'],
      pattern: /^\/console\/api\/repos$/,
      run: async ({ ctx, session }) => ({ repo: repoJson(await glossary.createRepo(session.tenantKey, nameOf(await readJsonObject(ctx), 100))) }),
    }),
    consoleRoute(auth, {
      id: 'repos.grant',
      methods: ['POST'],
      pattern: /^\/console\/api\/repos\/([^/]+)\/grants$/,
      async run({ ctx, params: [repoId = ''], principal, session }) {
        const repo = await entities.repos.resolve(principal, repoId);
        const appId = (await readJsonObject(ctx)).app_id;
        const app = typeof appId === 'string' ? await meta.findApp(appId) : undefined;
        if (!app || app.tenantKey !== session.tenantKey) throw invalidParam('app_id', 'no such app in this tenant');
        await glossary.grantRepo(repo.id, app.appId);
        return {};
      },
    }),
    consoleRoute(auth, {
      id: 'classifications.create',
      methods: ['POST'],
      pattern: /^\/console\/api\/repos\/([^/]+)\/classifications$/,
      async run({ ctx, params: [repoId = ''], principal }) {
        const repo = await entities.repos.resolve(principal, repoId);
        const body = await readJsonObject(ctx);
        const name = nameOf(body, 20);
        let fatherId: string | null = null;
        if (body.father_id !== undefined && body.father_id !== null && body.father_id !== '') {
          const [parent] = typeof body.father_id === 'string' ? await glossary.findClassifications(repo.id, [body.father_id]) : [];
          if (!parent) throw invalidParam('father_id', `no classification ${JSON.stringify(body.father_id)} in repo ${repo.id}`);
          if (parent.fatherId !== null) throw invalidParam('father_id', 'a second-level classification cannot have children: classifications have two levels');
          fatherId = parent.id;
        }
        return { classification: classificationJson(await glossary.createClassification({ repoId: repo.id, name, fatherId, i18nNames: [] })) };
      },
    }),
    consoleRoute(auth, {
      id: 'apps.list',
      methods: ['GET'],
      pattern: /^\/console\/api\/apps$/,
      run: async ({ session }) => ({
        apps: (await meta.listApps())
          .filter((a) => a.tenantKey === session.tenantKey)
          .map((a) => ({ app_id: a.appId, name: a.name, type: a.type, scopes: a.scopes })),
      }),
    }),
    consoleRoute(auth, {
      id: 'apps.create',
      methods: ['POST'],
      pattern: /^\/console\/api\/apps$/,
      async run({ ctx, session }) {
        const body = await readJsonObject(ctx);
        const name = nameOf(body, 100);
        const scopes = Array.isArray(body.scopes) ? body.scopes : [];
        if (scopes.length === 0 || !scopes.every((s) => (grantableScopes as readonly unknown[]).includes(s))) {
          throw invalidParam('scopes', `must be a non-empty list of ${grantableScopes.join(', ')}`);
        }
        // The secret is shown this once: only its hash is stored.
        return { app: await createApp(meta, { name, scopes: scopes as string[], tenantKey: session.tenantKey }) };
      },
    }),
  ];
}
