import { DraftReviewError, type DraftService } from '../glossary/draft-service.js';
import type { GlossaryStore } from '../glossary/glossary-store.js';
import type { DraftState } from '../glossary/model.js';
import { draftJson, entityJson } from '../glossary/wire/entity-json.js';
import { invalidParam } from '../errors/lingo-error.js';
import { discardBody } from '../http/json-request.js';
import { optionalString } from '../http/query.js';
import type { Route } from '../http/route.js';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-route.js';

const states: readonly DraftState[] = ['pending', 'approved', 'rejected'];

/**
 * Draft review: the queue with each proposal beside the entity it would overwrite, and approve or
 * reject by draft_id through DraftService.review, the very call of `lingo-server draft approve`.
 */
export function draftRoutes(auth: ConsoleAuth, drafts: DraftService, glossary: GlossaryStore): Route[] {
  const review = (decision: 'approved' | 'rejected') =>
    consoleRoute(auth, {
      id: `drafts.${decision === 'approved' ? 'approve' : 'reject'}`,
      methods: ['POST'],
      pattern: new RegExp(`^/console/api/drafts/([^/]+)/${decision === 'approved' ? 'approve' : 'reject'}$`),
      async run({ ctx, params: [draftId = ''], session }) {
        await discardBody(ctx);
        const draft = /^[1-9][0-9]{0,15}$/.test(draftId) ? await glossary.findDraft(draftId) : undefined;
        // Another tenant's draft does not exist for this session.
        if (!draft || draft.tenantKey !== session.tenantKey) throw invalidParam('draft_id', `no draft ${draftId} in this tenant`);
        try {
          const { draft: reviewed, entity } = await drafts.review(draftId, decision);
          return { draft_id: reviewed.draftId, state: reviewed.state, entity: entity && entityJson(entity) };
        } catch (err) {
          if (err instanceof DraftReviewError) throw invalidParam('draft_id', err.message);
          throw err;
        }
      },
    });
  return [
    consoleRoute(auth, {
      id: 'drafts.list',
      methods: ['GET'],
      pattern: /^\/console\/api\/drafts$/,
      async run({ session, query }) {
        const state = optionalString(query, 'state') ?? 'pending';
        if (!(states as readonly string[]).includes(state)) throw invalidParam('state', `must be one of ${states.join(', ')}`);
        const rows = await drafts.list(session.tenantKey, state as DraftState);
        const items = await Promise.all(
          rows.map(async (d) => {
            const current = d.targetSeq === null ? undefined : await glossary.findEntity(session.tenantKey, d.targetSeq);
            return { ...draftJson(d), state: d.state, repo_id: d.repoId, current: current ? entityJson(current) : null };
          }),
        );
        return { drafts: items };
      },
    }),
    review('approved'),
    review('rejected'),
  ];
}
