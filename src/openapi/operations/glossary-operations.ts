import { jsonBody, jsonSuccess, paramRef, pathParam, type OperationDescriptor } from '../descriptor.js';
import { arr, obj, ref } from '../json-schema.js';
import { decimalIdPattern } from '../schemas/entity-schemas.js';

/** Classifications, repos and drafts (src/http/routes/classifications-list.ts, repos-list.ts, drafts-*.ts). */

const draftData = obj('out', { draft: ref('Draft') }, ['draft']);

export const glossaryOperations: OperationDescriptor[] = [
  {
    routeId: 'lingo.v1.classification.list',
    path: '/open-apis/lingo/v1/classifications',
    tag: 'classification',
    summary: "List a repo's classifications",
    description: 'Node SDK: `client.lingo.v1.classification.list`. Both levels, by id. Made with `lingo-server classification create`.',
    parameters: [paramRef('PageSize'), paramRef('PageToken'), paramRef('RepoId')],
    responses: jsonSuccess('one page', ref('ClassificationPage')),
    errors: ['invalidParam', 'internal'],
    pagination: true,
  },
  {
    routeId: 'lingo.v1.repo.list',
    path: '/open-apis/lingo/v1/repos',
    tag: 'repo',
    summary: 'List the repos the app can see',
    description: 'Node SDK: `client.lingo.v1.repo.list`. The company-wide repo first, then those granted to the app, by id. No paging.',
    responses: jsonSuccess('every repo', obj('out', { items: arr(ref('Repo'), { min: 1 }) }, ['items'])),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: 'lingo.v1.draft.create',
    path: '/open-apis/lingo/v1/drafts',
    tag: 'draft',
    summary: 'Create a draft (pending review)',
    description:
      'Node SDK: `client.lingo.v1.draft.create`. Without id, an outer_info naming an existing entity targets it; otherwise approval creates a new entity. Reviewed with `lingo-server draft approve|reject`.',
    parameters: [paramRef('RepoId'), paramRef('UserIdType')],
    requestBody: jsonBody('DraftBody'),
    responses: jsonSuccess('the draft', draftData),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: 'lingo.v1.draft.update',
    path: '/open-apis/lingo/v1/drafts/{draft_id}',
    tag: 'draft',
    summary: 'Update a pending draft',
    description:
      'Node SDK: `client.lingo.v1.draft.update`. outer_info is ignored (the draft keeps the one it was created with). Once approved or rejected: 403 2250100.',
    parameters: [pathParam('draft_id', { type: 'string', pattern: decimalIdPattern }, 'as draft create answered it'), paramRef('UserIdType')],
    requestBody: jsonBody('DraftBody'),
    responses: jsonSuccess('the draft', draftData),
    errors: ['invalidParam', 'draftReviewed', 'internal'],
  },
];
