import { jsonBody, jsonSuccess, paramRef, pathParam, type OperationDescriptor } from '../descriptor.js';
import { obj, ref } from '../json-schema.js';
import { entityPathIdPattern } from '../schemas/entity-schemas.js';

/** The eight entity operations (src/http/routes/entities-*.ts; docs/api.md#the-glossary-lingo-json-operations). */

const entityId = pathParam(
  'entity_id',
  { type: 'string', pattern: entityPathIdPattern },
  'enterprise_<n>; enterprise_0 addresses the entity by the provider and outer_id query parameters',
);
const entityData = obj('out', { entity: ref('Entity') }, ['entity']);
const lingo = (id: string): string => `lingo.v1.entity.${id}`;

export const entityOperations: OperationDescriptor[] = [
  {
    routeId: lingo('create'),
    path: '/open-apis/lingo/v1/entities',
    tag: 'entity',
    summary: 'Create an entity (no review)',
    description: 'Node SDK: `client.lingo.v1.entity.create`. The entity goes straight into the repo.',
    parameters: [paramRef('RepoId'), paramRef('UserIdType')],
    requestBody: jsonBody('EntityBody'),
    responses: jsonSuccess('the entity, with its new id', entityData),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: lingo('update'),
    path: '/open-apis/lingo/v1/entities/{entity_id}',
    tag: 'entity',
    summary: 'Replace an entity',
    description: 'Node SDK: `client.lingo.v1.entity.update`. A full replace: every field not sent is cleared. creator, create_time, source and the repo stay.',
    parameters: [entityId, paramRef('UserIdType')],
    requestBody: jsonBody('EntityBody'),
    responses: jsonSuccess('the entity as replaced', entityData),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: lingo('delete'),
    path: '/open-apis/lingo/v1/entities/{entity_id}',
    tag: 'entity',
    summary: 'Delete an entity',
    description: 'Node SDK: `client.lingo.v1.entity.delete`. Its images stay downloadable.',
    parameters: [entityId, paramRef('Provider'), paramRef('OuterId')],
    responses: jsonSuccess('deleted', obj('out', {})),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: lingo('get'),
    path: '/open-apis/lingo/v1/entities/{entity_id}',
    tag: 'entity',
    summary: 'Get an entity',
    description: 'Node SDK: `client.lingo.v1.entity.get`. Unknown, deleted or invisible: 400 on entity_id (by outer_info: on outer_id).',
    parameters: [entityId, paramRef('Provider'), paramRef('OuterId'), paramRef('UserIdType')],
    responses: jsonSuccess('the entity', entityData),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: lingo('list'),
    path: '/open-apis/lingo/v1/entities',
    tag: 'entity',
    summary: 'List the entities of a repo',
    description: 'Node SDK: `client.lingo.v1.entity.list` and `listWithIterator`. In creation order, allow_search false or not.',
    parameters: [
      paramRef('PageSize'),
      paramRef('PageToken'),
      { name: 'provider', in: 'query', description: 'only entities whose outer_info.provider equals it', schema: { type: 'string' } },
      paramRef('RepoId'),
      paramRef('UserIdType'),
    ],
    responses: jsonSuccess('one page', ref('EntityPage')),
    errors: ['invalidParam', 'internal'],
    pagination: true,
  },
  {
    routeId: lingo('match'),
    path: '/open-apis/lingo/v1/entities/match',
    tag: 'entity',
    summary: 'Exact match of a word',
    description:
      'Node SDK: `client.lingo.v1.entity.match`. One result per entity and kind of key equal to the word (case-sensitive); keys with allow_search false never match.',
    parameters: [paramRef('RepoId')],
    requestBody: jsonBody('MatchBody'),
    responses: jsonSuccess('the matches ([] when none)', ref('MatchResults')),
    errors: ['invalidParam', 'internal'],
  },
  {
    routeId: lingo('search'),
    path: '/open-apis/lingo/v1/entities/search',
    tag: 'entity',
    summary: 'Search entities',
    description:
      'Node SDK: `client.lingo.v1.entity.search` and `searchWithIterator`. Main-key hits first, then alias or full-name hits, then description hits; without query, the filters alone in creation order.',
    parameters: [paramRef('PageSize'), paramRef('PageToken'), paramRef('RepoId'), paramRef('UserIdType')],
    requestBody: jsonBody('SearchBody', false, 'optional as a whole; an empty body is {}'),
    responses: jsonSuccess('one page', ref('EntityPage')),
    errors: ['invalidParam', 'internal'],
    pagination: true,
  },
  {
    routeId: lingo('highlight'),
    path: '/open-apis/lingo/v1/entities/highlight',
    tag: 'entity',
    summary: 'Highlight the keys found in a text',
    description:
      "Node SDK: `client.lingo.v1.entity.highlight`. Leftmost-longest, non-overlapping occurrences of the company-wide repo's keys with allow_highlight, matched exactly.",
    requestBody: jsonBody('HighlightBody'),
    responses: jsonSuccess('the phrases found', ref('Phrases')),
    errors: ['invalidParam', 'internal'],
  },
];
