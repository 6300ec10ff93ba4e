import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entityRequestBody } from '../../../src/client/import-entity.js';
import { readImportFile, type ImportRow } from '../../../src/client/import-rows.js';
import { ConfigError } from '../../../src/config/config.js';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.js';

describe('readImportFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('import-rows');
  });
  afterEach(() => removeDir(dir));
  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('CSV: columns in any order and case, cells trimmed, | lists, quoted cells over several lines, a BOM', () => {
    const file = write(
      'e.csv',
      '\ufeffOuter_ID,Key,Images,Aliases,Provider,Description\r\nx1, Lingo ,a.png | b/c.png,词典||glossary,acme,"line one\nline ""two"""\r\n\r\n',
    );
    expect(readImportFile(file)).toEqual([
      {
        line: 3,
        key: 'Lingo',
        aliases: ['词典', 'glossary'],
        description: 'line one\nline "two"',
        images: ['a.png', 'b/c.png'],
        provider: 'acme',
        outerId: 'x1',
        problems: [],
      },
    ]);
  });

  it('CSV: an unknown or a missing required column is an argument error', () => {
    expect(() => readImportFile(write('a.csv', 'key,provider,outer_id,note\n'))).toThrow(/unknown column\(s\) note/);
    expect(() => readImportFile(write('b.csv', 'key,description\nk,d\n'))).toThrow(/no provider, outer_id column/);
    expect(() => readImportFile(write('c.csv', 'key,provider,outer_id\n"unterminated,x,y\n'))).toThrow(ConfigError);
    expect(() => readImportFile(write('d.tsv', ''))).toThrow(/must end in .csv or .jsonl/);
  });

  it('JSONL: a row per non-blank line; bad lines become refused rows naming the problem', () => {
    const file = write(
      'e.jsonl',
      [
        JSON.stringify({ key: 'A', aliases: ['a1'], description: 'd', images: ['i.png'], provider: 'p1', outer_id: 'o1' }),
        '',
        '{not json',
        JSON.stringify({ key: 5, aliases: 'x', colour: 'red', provider: 'p1', outer_id: 'o2' }),
        '[1]',
      ].join('\n'),
    );
    const rows = readImportFile(file);
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4, 5]);
    expect(rows[0]).toMatchObject({ key: 'A', aliases: ['a1'], images: ['i.png'], outerId: 'o1', problems: [] });
    expect(rows[1]!.problems[0]!.description).toMatch(/^not JSON: /);
    expect(rows[2]!.problems.map((p) => p.field).sort()).toEqual(['aliases', 'colour', 'key']);
    expect(rows[3]!.problems).toEqual([{ field: 'line', description: 'must be a JSON object' }]);
  });
});

describe('entityRequestBody', () => {
  const row: ImportRow = {
    line: 2,
    key: 'Lingo',
    aliases: ['词典', 'new'],
    description: 'from the file',
    images: [],
    provider: 'acme',
    outerId: 'x1',
    problems: [],
  };
  const hidden = { allow_highlight: false, allow_search: false };

  it('a new entry: every key shown and highlighted, the images once each', () => {
    expect(entityRequestBody(row, ['boxA', 'boxB', 'boxA'], undefined)).toEqual({
      main_keys: [{ key: 'Lingo', display_status: { allow_highlight: true, allow_search: true } }],
      aliases: [
        { key: '词典', display_status: { allow_highlight: true, allow_search: true } },
        { key: 'new', display_status: { allow_highlight: true, allow_search: true } },
      ],
      description: 'from the file',
      related_meta: { images: [{ token: 'boxA' }, { token: 'boxB' }] },
      outer_info: { provider: 'acme', outer_id: 'x1' },
    });
  });

  it('an update keeps what the file has no column for, but not rich_text (it would win over the description)', () => {
    const existing = {
      id: 'enterprise_7',
      main_keys: [{ key: 'Lingo', display_status: hidden }],
      aliases: [{ key: '词典', display_status: hidden }],
      full_names: [{ key: 'Feishu Lingo', display_status: hidden }],
      description: 'old',
      rich_text: '<p>old</p>',
      related_meta: { classifications: [{ id: '11', father_id: '10' }], links: [{ title: 't', url: 'https://x.test/a' }], images: [{ token: 'boxOld' }] },
      i18n_descs: [{ language: 2, description: 'English' }],
    };
    const body = entityRequestBody(row, ['boxNew'], existing);
    expect(body.main_keys).toEqual([{ key: 'Lingo', display_status: hidden }]);
    expect(body.aliases).toEqual([
      { key: '词典', display_status: hidden },
      { key: 'new', display_status: { allow_highlight: true, allow_search: true } },
    ]);
    expect(body.related_meta).toEqual({
      classifications: existing.related_meta.classifications,
      links: existing.related_meta.links,
      images: [{ token: 'boxNew' }],
    });
    expect(body.full_names).toEqual(existing.full_names);
    expect(body.i18n_descs).toEqual(existing.i18n_descs);
    expect(body.description).toBe('from the file');
    expect(body).not.toHaveProperty('rich_text');
    expect(body).not.toHaveProperty('id');
  });
});
