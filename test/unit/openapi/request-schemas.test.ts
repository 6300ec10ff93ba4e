import { describe, expect, it } from 'vitest';
import { LingoError } from '../../../src/errors/lingo-error.js';
import { parseEntityBody } from '../../../src/glossary/wire/entity-body.js';
import { parseSearchBody } from '../../../src/glossary/wire/search-body.js';
import { buildOpenApiDocument } from '../../../src/openapi/openapi-document.js';
import { compileIn, type Doc } from '../../helpers/openapi.js';

/**
 * The request schemas of the document agree with the parsers the routes use: each body below,
 * at or just past a limit, is refused by the schema exactly when the parser answers 400. Rules
 * that need more than one field's value (a repeated i18n language or classification) are the
 * parser's alone and are left out.
 */
const doc: Doc = buildOpenApiDocument([], '0');
const schemaAccepts = (name: string) => {
  const validate = compileIn(doc, { $ref: `#/components/schemas/${name}` });
  return (body: unknown) => validate(body);
};
const parserAccepts = (parse: () => unknown): boolean => {
  try {
    parse();
    return true;
  } catch (err) {
    if (err instanceof LingoError && err.code === 2250001) return false;
    throw err;
  }
};

const term = (key: string, display: Record<string, unknown> = { allow_highlight: true, allow_search: false }) => ({ key, display_status: display });
const base = { main_keys: [term('KYC')], description: 'Know your customer' };
const emoji = '😀';

const entityBodies: Record<string, Record<string, unknown>> = {
  minimal: base,
  'rich_text only': { main_keys: [term('KYC')], rich_text: '<p>x</p>' },
  'rich_text with <P class>': { main_keys: [term('KYC')], rich_text: '<P class="a">x</P>' },
  'neither description nor rich_text': { main_keys: [term('KYC')] },
  'empty description and rich_text': { main_keys: [term('KYC')], description: '', rich_text: '' },
  'rich_text without <p>': { main_keys: [term('KYC')], rich_text: '<b>x</b>' },
  'no main_keys': { description: 'x' },
  'null main_keys': { main_keys: null, description: 'x' },
  'two main keys': { ...base, main_keys: [term('A'), term('B')] },
  'zero main keys': { ...base, main_keys: [] },
  'key of 100 emoji': { ...base, main_keys: [term(emoji.repeat(100))] },
  'key of 101 characters': { ...base, main_keys: [term('k'.repeat(101))] },
  'blank key': { ...base, main_keys: [term('  ')] },
  'empty key': { ...base, main_keys: [term('')] },
  'display_status missing a flag': { ...base, main_keys: [term('K', { allow_highlight: true })] },
  'display_status flag not boolean': { ...base, main_keys: [term('K', { allow_highlight: 1, allow_search: true })] },
  'ten aliases': { ...base, aliases: Array.from({ length: 10 }, (_, i) => term(`a${i}`)) },
  'eleven aliases': { ...base, aliases: Array.from({ length: 11 }, (_, i) => term(`a${i}`)) },
  'eleven full names': { ...base, full_names: Array.from({ length: 11 }, (_, i) => term(`f${i}`)) },
  'description of 5000': { ...base, description: 'd'.repeat(5000) },
  'description of 5001': { ...base, description: 'd'.repeat(5001) },
  'rich_text of 5001': { main_keys: [term('K')], rich_text: `<p>${'r'.repeat(4994)}</p>` },
  'null optional fields': { ...base, aliases: null, related_meta: null, outer_info: null, i18n_descs: null, full_names: null },
  'unknown and read-only fields': { ...base, creator: 'x', statistics: { like_count: 5 }, source: 9, whatever: [1] },
  outer_info: { ...base, outer_info: { provider: 'ab', outer_id: 'x'.repeat(64) } },
  'provider of 1': { ...base, outer_info: { provider: 'a', outer_id: 'x' } },
  'provider of 33': { ...base, outer_info: { provider: 'p'.repeat(33), outer_id: 'x' } },
  'outer_id of 65': { ...base, outer_info: { provider: 'crm', outer_id: 'x'.repeat(65) } },
  'outer_id with -': { ...base, outer_info: { provider: 'crm', outer_id: 'a-b' } },
  'outer_info without outer_id': { ...base, outer_info: { provider: 'crm' } },
  'three i18n_descs': { ...base, i18n_descs: [1, 2, 3].map((language) => ({ language, description: 'x' })) },
  'four i18n_descs': { ...base, i18n_descs: [1, 2, 3, 1].map((language) => ({ language })) },
  'i18n language 4': { ...base, i18n_descs: [{ language: 4 }] },
  'i18n empty description': { ...base, i18n_descs: [{ language: 1, description: '' }] },
  'ten images': { ...base, related_meta: { images: Array.from({ length: 10 }, (_, i) => ({ token: `t${i}` })) } },
  'eleven images': { ...base, related_meta: { images: Array.from({ length: 11 }, (_, i) => ({ token: `t${i}` })) } },
  'image without token': { ...base, related_meta: { images: [{}] } },
  'image token empty': { ...base, related_meta: { images: [{ token: '' }] } },
  'good link': { ...base, related_meta: { links: [{ title: 'Wiki', url: 'https://example.com/a?b=c' }], docs: [{}] } },
  'bad link': { ...base, related_meta: { links: [{ url: 'javascript:alert(1)' }] } },
  'link url ending in .': { ...base, related_meta: { docs: [{ url: 'https://example.com.' }] } },
  'user without id': { ...base, related_meta: { users: [{ title: 'x' }] } },
  'user title not a string': { ...base, related_meta: { users: [{ id: 'ou_1', title: 3 }] } },
  'chat id empty': { ...base, related_meta: { chats: [{ id: '' }] } },
  'classification id 0': { ...base, related_meta: { classifications: [{ id: '0' }] } },
  'classification with father_id': { ...base, related_meta: { classifications: [{ id: '7', father_id: 'ignored' }] } },
  'abbreviation enterprise_0': { ...base, related_meta: { abbreviations: [{ id: 'enterprise_0' }] } },
  'abbreviation without id': { ...base, related_meta: { abbreviations: [{}] } },
  'related_meta an array': { ...base, related_meta: [] },
  'list item not an object': { ...base, aliases: ['KYC'] },
};

const draftBodies: Record<string, Record<string, unknown>> = {
  'id of an entity': { ...base, id: 'enterprise_42' },
  'empty id': { ...base, id: '' },
  'id enterprise_0': { ...base, id: 'enterprise_0' },
  'id not an entity id': { ...base, id: '42' },
};

const searchBodies: Record<string, Record<string, unknown>> = {
  empty: {},
  nulls: { query: null, classification_filter: null, sources: null, creators: null },
  'query of 100 emoji': { query: emoji.repeat(100) },
  'query of 101': { query: 'q'.repeat(101) },
  'empty query': { query: '' },
  filter: { classification_filter: { include: ['1', '9223372036854775807'], exclude: [] } },
  'filter id 0': { classification_filter: { include: ['0'] } },
  'filter of 101 ids': { classification_filter: { exclude: Array.from({ length: 101 }, (_, i) => String(i + 1)) } },
  'filter an array': { classification_filter: [] },
  sources: { sources: [1, 2, 3, 4] },
  'source 5': { sources: [5] },
  'source "1"': { sources: ['1'] },
  creators: { creators: ['ou_1', 'c'.repeat(128)] },
  'creator of 129': { creators: ['c'.repeat(129)] },
  'creator with a newline': { creators: ['a\nb'] },
  'paging in the body': { page_size: 'lots', page_token: 5 },
};

describe('request schemas agree with the parsers', () => {
  it.each(Object.entries(entityBodies))('EntityBody: %s', (_, body) => {
    expect(schemaAccepts('EntityBody')(body)).toBe(parserAccepts(() => parseEntityBody(body, 'entity')));
  });

  it.each(Object.entries({ ...entityBodies, ...draftBodies }))('DraftBody: %s', (_, body) => {
    expect(schemaAccepts('DraftBody')(body)).toBe(parserAccepts(() => parseEntityBody(body, 'draft-create')));
  });

  it.each(Object.entries(searchBodies))('SearchBody: %s', (_, body) => {
    expect(schemaAccepts('SearchBody')(body)).toBe(parserAccepts(() => parseSearchBody(body)));
  });

  it('the sample bodies cover both answers of each parser', () => {
    const accepted = Object.values(entityBodies).filter((b) => parserAccepts(() => parseEntityBody(b, 'entity'))).length;
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(Object.keys(entityBodies).length - 20);
  });
});
