import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../../src/errors/catalogue.js';

describe('docs/errors.md', () => {
  it('lists every catalogue entry with its HTTP status and code, and nothing else', () => {
    const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\w+) \| (\d+) \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    const expected = Object.entries(errorCatalogue).map(([key, e]) => [key, e.http, e.code]);
    expect(rows.sort()).toEqual(expected.sort());
  });
});
