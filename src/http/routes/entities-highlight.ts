import type { Highlighter } from '../../glossary/highlight/highlighter.js';
import { requiredText } from '../../glossary/wire/search-body.js';
import { readJsonObject } from '../json-request.js';
import type { Route } from '../route.js';
import { lingoAccess, lingoRoute } from './lingo-route.js';

/**
 * POST /open-apis/lingo/v1/entities/highlight (§10): leftmost-longest, non-overlapping phrases of
 * the company-wide repo's highlightable keys, spans in code points, end exclusive.
 */
export function entitiesHighlightRoute(highlighter: Highlighter): Route {
  return lingoRoute({
    method: 'POST',
    pattern: /^\/open-apis\/lingo\/v1\/entities\/highlight$/,
    access: lingoAccess.entityHighlight,
    async run(ctx, _params, principal) {
      const text = requiredText(await readJsonObject(ctx), 'text', 1000);
      const phrases = await highlighter.highlight(principal.tenantKey, text);
      return { phrases: phrases.map((p) => ({ name: p.name, entity_ids: p.entityIds, span: p.span })) };
    },
  });
}
