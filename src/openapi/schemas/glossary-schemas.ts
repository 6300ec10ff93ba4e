import { arr, int, obj, ref, str, type Schema } from '../json-schema.js';
import { decimalIdPattern, entityIdPattern } from './entity-schemas.js';

/**
 * Repos, classifications and the bodies and answers of match, search and highlight
 * (src/glossary/wire/search-body.ts, entity-json.ts and the routes in src/http/routes/).
 */

/** search-body.ts: at most this many items in each filter list. */
const maxFilterItems = 100;

/** A list page: `has_more`, and `page_token` only while there is more (the Go iterators stop on its absence). */
export function pageOf(itemsField: string, item: Schema): Schema {
  return obj(
    'out',
    {
      [itemsField]: arr(item),
      page_token: str({ min: 1, description: 'present only when has_more is true; opaque, bound to this listing' }),
      has_more: { type: 'boolean' },
    },
    [itemsField, 'has_more'],
  );
}

export function glossarySchemas(): Record<string, Schema> {
  const decimalId = str({ pattern: decimalIdPattern });
  return {
    Repo: obj('out', { id: decimalId, name: str({ examples: ['全员词库'] }) }, ['id', 'name']),
    Classification: obj(
      'out',
      {
        id: decimalId,
        name: str(),
        father_id: { ...decimalId, description: 'only on second-level classifications' },
        i18n_names: arr(obj('out', { language: int({ enum: [1, 2, 3] }), name: str() }, ['language', 'name']), { description: 'only when set' }),
      },
      ['id', 'name'],
    ),
    SearchBody: obj(
      'in',
      {
        query: str({ min: 1, max: 100, description: 'case-insensitive substring of a searchable key or a description' }),
        classification_filter: obj('in', {
          include: arr(decimalId, { max: maxFilterItems }),
          exclude: arr(decimalId, { max: maxFilterItems }),
        }),
        sources: arr(int({ enum: [1, 2, 3, 4] }), { max: maxFilterItems }),
        creators: arr(str({ pattern: '^.{1,128}$' }), { max: maxFilterItems, description: 'compared with creator as stored' }),
      },
      [],
      'All optional; page_size, page_token and repo_id are read from the query only (copies here are ignored).',
    ),
    MatchBody: obj('in', { word: str({ min: 1, max: 100 }) }, ['word']),
    MatchResults: obj(
      'out',
      {
        results: arr(
          obj('out', { entity_id: str({ pattern: entityIdPattern }), type: int({ enum: [0, 1, 2], description: '0 main key, 1 full name, 2 alias' }) }, [
            'entity_id',
            'type',
          ]),
        ),
      },
      ['results'],
    ),
    HighlightBody: obj('in', { text: str({ min: 1, max: 1000 }) }, ['text']),
    Phrases: obj(
      'out',
      {
        phrases: arr(
          obj(
            'out',
            {
              name: str(),
              entity_ids: arr(str({ pattern: entityIdPattern }), { min: 1 }),
              span: obj('out', { start: int({ min: 0 }), end: int({ min: 1, description: 'exclusive' }) }, ['start', 'end'], 'in Unicode code points'),
            },
            ['name', 'entity_ids', 'span'],
          ),
        ),
      },
      ['phrases'],
    ),
    EntityPage: pageOf('entities', ref('Entity')),
    ClassificationPage: pageOf('items', ref('Classification')),
  };
}
