import { describe, expect, it } from 'vitest';
import type { ClassificationRecord, DraftRecord, EntityContent, EntityRecord } from '../../../../src/glossary/model.js';
import { classificationJson, draftJson, entityJson, repoJson } from '../../../../src/glossary/wire/entity-json.js';
import { content as glossaryContent, term } from '../../../helpers/glossary.js';

/** The shared builder (test/helpers/glossary.ts) with the key and texts these expectations spell out. */
const content = (over: Partial<EntityContent> = {}): EntityContent =>
  glossaryContent(term('KYC', { search: false }), {
    description: 'Know your customer',
    richText: '<p><b>KYC</b><span>Know your customer</span></p>',
    ...over,
  });

const entity = (over: Partial<EntityRecord> = {}): EntityRecord => ({
  seq: '40217521',
  tenantKey: 't1',
  repoId: '1',
  content: content(),
  creator: 'cli_app',
  updater: 'ou_user',
  createdAtMs: 1_627_540_853_999,
  updatedAtMs: 1_627_541_853_000,
  source: 4,
  ...over,
});

describe('entityJson', () => {
  it('renders a bare entity with every list present and string times in seconds', () => {
    expect(entityJson(entity())).toEqual({
      id: 'enterprise_40217521',
      main_keys: [{ key: 'KYC', display_status: { allow_highlight: true, allow_search: false } }],
      aliases: [],
      description: 'Know your customer',
      creator: 'cli_app',
      create_time: '1627540853',
      updater: 'ou_user',
      update_time: '1627541853',
      related_meta: { users: [], chats: [], docs: [], oncalls: [], links: [], abbreviations: [], classifications: [], images: [] },
      statistics: { like_count: 0, dislike_count: 0 },
      rich_text: '<p><b>KYC</b><span>Know your customer</span></p>',
      source: 4,
      i18n_descs: [],
    });
  });

  it('renders full names, outer_info, related data and i18n descriptions in wire names', () => {
    const json = entityJson(
      entity({
        content: content({
          fullNames: [{ key: 'Know Your Customer', displayStatus: { allowHighlight: false, allowSearch: true } }],
          aliases: [{ key: 'kyc', displayStatus: { allowHighlight: true, allowSearch: true } }],
          outerInfo: { provider: 'crm', outerId: 'c_1' },
          relatedMeta: {
            users: [{ id: 'ou_1', title: 'owner' }, { id: 'ou_2' }],
            chats: [{ id: 'oc_1' }],
            docs: [{ title: 'Doc', url: 'https://d.example/x' }, {}],
            oncalls: [{ id: '7023' }],
            links: [{ url: 'https://l.example' }],
            abbreviations: [{ id: 'enterprise_2' }, {}],
            classifications: [{ id: '11', fatherId: '10' }, { id: '12' }],
            images: [{ token: 'boxbc1' }],
          },
          i18nDescs: [
            { language: 2, description: 'en' },
            { language: 3, richText: '<p>ja</p>' },
          ],
        }),
      }),
    );
    expect(json.full_names).toEqual([{ key: 'Know Your Customer', display_status: { allow_highlight: false, allow_search: true } }]);
    expect(json.aliases).toEqual([{ key: 'kyc', display_status: { allow_highlight: true, allow_search: true } }]);
    expect(json.outer_info).toEqual({ provider: 'crm', outer_id: 'c_1' });
    expect(json.related_meta).toEqual({
      users: [{ id: 'ou_1', title: 'owner' }, { id: 'ou_2' }],
      chats: [{ id: 'oc_1' }],
      docs: [{ title: 'Doc', url: 'https://d.example/x' }, {}],
      oncalls: [{ id: '7023' }],
      links: [{ url: 'https://l.example' }],
      abbreviations: [{ id: 'enterprise_2' }, {}],
      classifications: [{ id: '11', father_id: '10' }, { id: '12' }],
      images: [{ token: 'boxbc1' }],
    });
    expect(json.i18n_descs).toEqual([
      { language: 2, description: 'en' },
      { language: 3, rich_text: '<p>ja</p>' },
    ]);
  });

  it('renders an empty full_names as [] and keeps JSON free of undefined', () => {
    const json = entityJson(entity({ content: content({ fullNames: [] }) }));
    expect(json.full_names).toEqual([]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('draftJson', () => {
  const draft = (over: Partial<DraftRecord> = {}): DraftRecord => ({
    draftId: '7241543272228814852',
    tenantKey: 't1',
    repoId: '1',
    targetSeq: null,
    content: content(),
    state: 'pending',
    creator: 'ou_author',
    appId: 'cli_app',
    createdAtMs: 2_000_000_000_000,
    updatedAtMs: 2_000_000_001_000,
    entitySeq: null,
    ...over,
  });

  it('has no entity id for a new-entity draft', () => {
    const json = draftJson(draft());
    expect(json.draft_id).toBe('7241543272228814852');
    const e = json.entity as Record<string, unknown>;
    expect(e).not.toHaveProperty('id');
    expect(e).toMatchObject({ creator: 'ou_author', updater: 'ou_author', create_time: '2000000000', update_time: '2000000001', source: 4 });
  });

  it("carries the target's id, or the created entity's once approved", () => {
    expect((draftJson(draft({ targetSeq: '9' })).entity as Record<string, unknown>).id).toBe('enterprise_9');
    expect((draftJson(draft({ state: 'approved', entitySeq: '12' })).entity as Record<string, unknown>).id).toBe('enterprise_12');
  });
});

describe('repoJson and classificationJson', () => {
  it('renders a repo as {id, name}', () => {
    expect(repoJson({ id: '7152790921053274113', tenantKey: 't', name: '全员词库', companyWide: true })).toEqual({
      id: '7152790921053274113',
      name: '全员词库',
    });
  });

  it('gives father_id only to second-level classifications and i18n_names only when set', () => {
    const c = (over: Partial<ClassificationRecord>): ClassificationRecord => ({ id: '10', repoId: '1', name: 'Top', fatherId: null, i18nNames: [], ...over });
    expect(classificationJson(c({}))).toEqual({ id: '10', name: 'Top' });
    expect(classificationJson(c({ id: '11', fatherId: '10', i18nNames: [{ language: 2, name: 'Sub' }] }))).toEqual({
      id: '11',
      name: 'Top',
      father_id: '10',
      i18n_names: [{ language: 2, name: 'Sub' }],
    });
  });
});
