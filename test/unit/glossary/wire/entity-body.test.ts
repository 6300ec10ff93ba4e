import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../../../src/errors/catalogue.js';
import { LingoError } from '../../../../src/errors/lingo-error.js';
import { parseEntityBody, type EntityBodyKind } from '../../../../src/glossary/wire/entity-body.js';

const term = (key: string, allowHighlight = true, allowSearch = true) => ({
  key,
  display_status: { allow_highlight: allowHighlight, allow_search: allowSearch },
});
const minimal = () => ({ main_keys: [term('KYC')], description: 'Know your customer' }) as Record<string, unknown>;

/** Every violation the body draws, or [] when it parses. */
function violationsOf(body: Record<string, unknown>, kind: EntityBodyKind = 'entity'): FieldViolation[] {
  try {
    parseEntityBody(body, kind);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(LingoError);
    expect((err as LingoError).key).toBe('invalidParam');
    return (err as LingoError).details.fieldViolations ?? [];
  }
}

const fields = (body: Record<string, unknown>, kind?: EntityBodyKind) => violationsOf(body, kind).map((v) => v.field);

describe('parseEntityBody: what it keeps', () => {
  it('reads a minimal body and derives the rich text from the description', () => {
    const { content, targetId } = parseEntityBody(minimal(), 'entity');
    expect(targetId).toBeNull();
    expect(content).toEqual({
      mainKeys: [{ key: 'KYC', displayStatus: { allowHighlight: true, allowSearch: true } }],
      fullNames: null,
      aliases: [],
      description: 'Know your customer',
      richText: '<p><b>KYC</b><span>Know your customer</span></p>',
      relatedMeta: { users: [], chats: [], docs: [], oncalls: [], links: [], abbreviations: [], classifications: [], images: [] },
      outerInfo: null,
      i18nDescs: [],
    });
  });

  it('derives the description from rich text, which wins over a description given with it', () => {
    const { content } = parseEntityBody({ main_keys: [term('K')], description: 'ignored', rich_text: '<p>Rich <b>text</b> &amp; more</p>' }, 'entity');
    expect(content.richText).toBe('<p>Rich <b>text</b> &amp; more</p>');
    expect(content.description).toBe('Rich text & more');
  });

  it('reads every field of a full body', () => {
    const body = {
      ...minimal(),
      full_names: [term('Know Your Customer', false, true)],
      aliases: [term('kyc', true, false), term('客户识别')],
      related_meta: {
        users: [{ id: 'ou_1', title: 'owner' }, { id: 'ou_2' }],
        chats: [{ id: 'oc_1' }],
        docs: [{ title: 'Doc', url: 'https://example.feishu.cn/docx/abc' }, {}],
        oncalls: [{ id: '7023689145548034' }],
        links: [{ url: 'ftp://files.example.com/a.txt' }],
        abbreviations: [{ id: 'enterprise_42' }, {}],
        classifications: [{ id: '7049606926702837761', father_id: 'ignored' }],
        images: [{ token: 'boxbcEcmKiDia3evgqWTpvdc7jc' }],
      },
      outer_info: { provider: 'crm', outer_id: 'client_6539' },
      i18n_descs: [
        { language: 2, description: 'English' },
        { language: 1, rich_text: '<p>中文</p>' },
      ],
      // Read-only and unknown fields (Go sends the whole struct) are ignored.
      id: 'enterprise_9',
      creator: 'x',
      statistics: { like_count: 3 },
      source: 1,
      surprise: [1, 2, 3],
    };
    const { content, targetId } = parseEntityBody(body, 'entity');
    expect(targetId).toBeNull();
    expect(content.fullNames).toEqual([{ key: 'Know Your Customer', displayStatus: { allowHighlight: false, allowSearch: true } }]);
    expect(content.aliases.map((a) => a.key)).toEqual(['kyc', '客户识别']);
    expect(content.relatedMeta).toEqual({
      users: [{ id: 'ou_1', title: 'owner' }, { id: 'ou_2' }],
      chats: [{ id: 'oc_1' }],
      docs: [{ title: 'Doc', url: 'https://example.feishu.cn/docx/abc' }, {}],
      oncalls: [{ id: '7023689145548034' }],
      links: [{ url: 'ftp://files.example.com/a.txt' }],
      abbreviations: [{ id: 'enterprise_42' }, {}],
      classifications: [{ id: '7049606926702837761' }],
      images: [{ token: 'boxbcEcmKiDia3evgqWTpvdc7jc' }],
    });
    expect(content.outerInfo).toEqual({ provider: 'crm', outerId: 'client_6539' });
    expect(content.i18nDescs).toEqual([
      { language: 2, description: 'English' },
      { language: 1, richText: '<p>中文</p>' },
    ]);
  });

  it('treats null as absent everywhere (the Python SDK sends nulls)', () => {
    const body = {
      ...minimal(),
      full_names: null,
      aliases: null,
      rich_text: null,
      related_meta: { users: null, images: null },
      outer_info: null,
      i18n_descs: null,
      id: null,
    };
    const { content, targetId } = parseEntityBody(body, 'draft-create');
    expect(content.fullNames).toBeNull();
    expect(content.aliases).toEqual([]);
    expect(content.outerInfo).toBeNull();
    expect(targetId).toBeNull();
  });

  it('keeps an empty full_names apart from an absent one', () => {
    expect(parseEntityBody({ ...minimal(), full_names: [] }, 'entity').content.fullNames).toEqual([]);
  });

  it("takes a draft's id as its target, and ignores it on an entity body", () => {
    expect(parseEntityBody({ ...minimal(), id: 'enterprise_7611747915522264030' }, 'draft-create').targetId).toBe('enterprise_7611747915522264030');
    expect(parseEntityBody({ ...minimal(), id: 'enterprise_5' }, 'draft-update').targetId).toBe('enterprise_5');
    expect(parseEntityBody({ ...minimal(), id: '' }, 'draft-create').targetId).toBeNull();
    expect(parseEntityBody({ ...minimal(), id: 'nonsense' }, 'entity').targetId).toBeNull();
  });

  it('ignores outer_info on a draft update, even a malformed one', () => {
    const body = { ...minimal(), outer_info: { provider: 'a-b' } };
    expect(parseEntityBody(body, 'draft-update').content.outerInfo).toBeNull();
    expect(fields(body, 'draft-create')).toEqual(['outer_info.provider', 'outer_info.outer_id']);
  });

  it('counts lengths in code points: 100 emoji make a 100-character key', () => {
    expect(fields({ ...minimal(), main_keys: [term('😀'.repeat(100))] })).toEqual([]);
    expect(fields({ ...minimal(), main_keys: [term('😀'.repeat(101))] })).toEqual(['main_keys[0].key']);
    expect(fields({ ...minimal(), description: '😀'.repeat(5000) })).toEqual([]);
    expect(fields({ ...minimal(), description: 'x'.repeat(5001) })).toEqual(['description']);
  });
});

describe('parseEntityBody: the rules of spec §3', () => {
  it('requires exactly one main key', () => {
    expect(violationsOf({ description: 'd' })).toEqual([{ field: 'main_keys', description: 'is required' }]);
    expect(violationsOf({ ...minimal(), main_keys: [] })).toEqual([{ field: 'main_keys', description: 'must have exactly 1 item (has 0)' }]);
    expect(violationsOf({ ...minimal(), main_keys: [term('a'), term('b')] })).toEqual([
      { field: 'main_keys', description: 'must have exactly 1 item (has 2)' },
    ]);
    expect(fields({ ...minimal(), main_keys: term('a') })).toEqual(['main_keys']);
  });

  it('checks every part of a Term, naming the path', () => {
    const body = {
      ...minimal(),
      aliases: [
        term('ok'),
        { key: '', display_status: { allow_highlight: true, allow_search: true } },
        { key: '   ', display_status: { allow_highlight: true, allow_search: true } },
        { key: 'x', display_status: { allow_highlight: true, allow_search: 'yes' } },
        { key: 'x' },
        { display_status: {} },
        'alias',
        { key: 7, display_status: [] },
      ],
    };
    expect(fields(body)).toEqual([
      'aliases[1].key',
      'aliases[2].key',
      'aliases[3].display_status.allow_search',
      'aliases[4].display_status',
      'aliases[5].key',
      'aliases[5].display_status.allow_highlight',
      'aliases[5].display_status.allow_search',
      'aliases[6]',
      'aliases[7].key',
      'aliases[7].display_status',
    ]);
  });

  it('allows 10 aliases and 10 full names, not 11', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => term(`k${i}`));
    expect(fields({ ...minimal(), aliases: many(10), full_names: many(10) })).toEqual([]);
    expect(violationsOf({ ...minimal(), aliases: many(11), full_names: many(11) })).toEqual([
      { field: 'full_names', description: 'must have at most 10 items (has 11)' },
      { field: 'aliases', description: 'must have at most 10 items (has 11)' },
    ]);
  });

  it('wants a description or a rich text, each at most 5000 characters', () => {
    expect(violationsOf({ main_keys: [term('K')] })).toEqual([{ field: 'description', description: 'description or rich_text is required' }]);
    expect(fields({ main_keys: [term('K')], description: '', rich_text: '' })).toEqual(['description']);
    expect(fields({ main_keys: [term('K')], rich_text: `<p>${'x'.repeat(4993)}</p>` })).toEqual([]);
    expect(fields({ main_keys: [term('K')], rich_text: `<p>${'x'.repeat(4994)}</p>` })).toEqual(['rich_text']);
    expect(fields({ main_keys: [term('K')], description: 5 })).toEqual(['description']);
  });

  it('wants at least one <p> in rich text', () => {
    expect(violationsOf({ main_keys: [term('K')], rich_text: '<div>no paragraph</div>' })).toEqual([
      { field: 'rich_text', description: 'must contain at least one <p> tag' },
    ]);
    expect(fields({ main_keys: [term('K')], rich_text: '<P class="x">ok</P>' })).toEqual([]);
  });

  it('checks i18n_descs: at most 3, language 1–3 and unique, texts 1–5000', () => {
    expect(fields({ ...minimal(), i18n_descs: [{ language: 1 }, { language: 2 }, { language: 3 }] })).toEqual([]);
    expect(fields({ ...minimal(), i18n_descs: [{ language: 1 }, { language: 2 }, { language: 3 }, { language: 1 }] })).toEqual(['i18n_descs']);
    expect(
      violationsOf({
        ...minimal(),
        i18n_descs: [{ language: 4, description: '' }, { language: '1', rich_text: 'x'.repeat(5001) }, {}],
      }),
    ).toEqual([
      { field: 'i18n_descs[0].description', description: 'must be 1–5000 characters (is 0)' },
      { field: 'i18n_descs[0].language', description: 'must be 1 (zh), 2 (en) or 3 (ja)' },
      { field: 'i18n_descs[1].rich_text', description: 'must be 1–5000 characters (is 5001)' },
      { field: 'i18n_descs[1].language', description: 'must be 1 (zh), 2 (en) or 3 (ja)' },
      { field: 'i18n_descs[2].language', description: 'is required' },
    ]);
    expect(violationsOf({ ...minimal(), i18n_descs: [{ language: 2 }, { language: 2 }] })).toEqual([
      { field: 'i18n_descs[1].language', description: 'repeats the language of i18n_descs[0]' },
    ]);
  });

  it('checks outer_info: both parts, provider 2–32 and outer_id 1–64 characters, no "-"', () => {
    const outer = (provider: unknown, outer_id: unknown) => fields({ ...minimal(), outer_info: { provider, outer_id } });
    expect(outer('ab', 'x')).toEqual([]);
    expect(outer('a'.repeat(32), 'x'.repeat(64))).toEqual([]);
    expect(outer('a', 'x')).toEqual(['outer_info.provider']);
    expect(outer('a'.repeat(33), '')).toEqual(['outer_info.provider', 'outer_info.outer_id']);
    expect(outer('ab', 'x'.repeat(65))).toEqual(['outer_info.outer_id']);
    expect(outer('a-b', 'x-y')).toEqual(['outer_info.provider', 'outer_info.outer_id']);
    expect(outer(undefined, 1)).toEqual(['outer_info.provider', 'outer_info.outer_id']);
    expect(fields({ ...minimal(), outer_info: 'crm:1' })).toEqual(['outer_info']);
  });

  it('checks doc and link urls against the documented pattern, anchored', () => {
    const url = (u: unknown) => fields({ ...minimal(), related_meta: { docs: [{ url: u }], links: [{ url: u, title: 't' }] } });
    for (const good of ['https://a.example/x?y=1&z=%20#f', 'http://ab', 'ftp://h/p', 'file:///etc/hosts', 'https://a/b_c|d~e'])
      expect(url(good), good).toEqual([]);
    // 'http://x': the pattern wants at least two characters after the scheme.
    for (const bad of [
      '',
      'http://x',
      'https://',
      'https://a.',
      'mailto:x@y',
      'javascript:alert(1)',
      ' https://a',
      'https://a b',
      'https://a/é',
      'xhttps://a',
      'https://a\n',
      7,
    ]) {
      expect(url(bad), String(bad)).toEqual(['related_meta.docs[0].url', 'related_meta.links[0].url']);
    }
  });

  it('checks the shapes of the related_meta items', () => {
    const body = {
      ...minimal(),
      related_meta: {
        users: [{ title: 'no id' }, { id: '' }, { id: 'ou_1', title: 3 }],
        chats: [{}, 'oc_1'],
        oncalls: [{ id: 5 }],
        docs: [{ title: [] }],
        abbreviations: [{ id: 'enterprise_0' }, { id: '42' }, { id: 'enterprise_42' }, { id: 42 }],
        classifications: [{ id: '7049606926702837761' }, {}, { id: '0' }, { id: 'x' }, { id: '7049606926702837761' }],
        images: [{ token: '' }, {}, { token: 't' }],
      },
    };
    expect(fields(body)).toEqual([
      'related_meta.users[0].id',
      'related_meta.users[1].id',
      'related_meta.users[2].title',
      'related_meta.chats[0].id',
      'related_meta.chats[1]',
      'related_meta.oncalls[0].id',
      'related_meta.docs[0].title',
      'related_meta.abbreviations[0].id',
      'related_meta.abbreviations[1].id',
      'related_meta.abbreviations[3].id',
      'related_meta.classifications[1].id',
      'related_meta.classifications[2].id',
      'related_meta.classifications[3].id',
      'related_meta.classifications[4].id',
      'related_meta.images[0].token',
      'related_meta.images[1].token',
    ]);
    expect(fields({ ...minimal(), related_meta: { images: 'x', users: {} } })).toEqual(['related_meta.users', 'related_meta.images']);
    expect(fields({ ...minimal(), related_meta: [] })).toEqual(['related_meta']);
  });

  it('allows 10 images, not 11', () => {
    const images = (n: number) => Array.from({ length: n }, (_, i) => ({ token: `t${i}` }));
    expect(fields({ ...minimal(), related_meta: { images: images(10) } })).toEqual([]);
    expect(violationsOf({ ...minimal(), related_meta: { images: images(11) } })).toEqual([
      { field: 'related_meta.images', description: 'must have at most 10 items (has 11)' },
    ]);
  });

  it("checks a draft's id", () => {
    for (const bad of ['enterprise_0', '42', 'enterprise_', 'enterprise_01', 7])
      expect(fields({ ...minimal(), id: bad }, 'draft-create'), String(bad)).toEqual(['id']);
  });

  it('reports every violation of a body at once', () => {
    const body = { main_keys: [term('')], aliases: 'x', rich_text: 'no p', outer_info: { provider: 'p' }, i18n_descs: [{ language: 9 }] };
    expect(fields(body)).toEqual(['main_keys[0].key', 'aliases', 'rich_text', 'outer_info.provider', 'outer_info.outer_id', 'i18n_descs[0].language']);
  });

  it('does not read inherited properties', () => {
    const body = Object.create({ main_keys: [term('K')], description: 'd' }) as Record<string, unknown>;
    expect(fields(body)).toEqual(['main_keys', 'description']);
    expect(
      fields(JSON.parse('{"main_keys":[{"key":"k","display_status":{"allow_highlight":true,"allow_search":true}}],"description":"d","__proto__":{"x":1}}')),
    ).toEqual([]);
  });
});
