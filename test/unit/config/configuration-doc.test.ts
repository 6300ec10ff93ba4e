import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settings } from '../../../src/config/settings.js';

// docs/configuration.md is the one documented table of settings (the README links to it): it
// must say what the code does, row for row, in both directions.

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');

/** The rows of the first table under a `## ` heading of docs/configuration.md, each as its cells. */
function tableUnder(heading: string): string[][] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`no "## ${heading}" in docs/configuration.md`);
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const table: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    table.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return table.slice(2); // the header and the |---| line
}

/** The first `code` span of a cell. */
const code = (cell: string | undefined): string | undefined => /`([^`]*)`/.exec(cell ?? '')?.[1];

const rows = tableUnder('Settings');

describe('docs/configuration.md', () => {
  it('lists every setting of src/config/settings.ts, in its order, with its flag and environment variable, and nothing else', () => {
    expect(rows.map((cells) => [code(cells[0]), code(cells[1])])).toEqual(settings.map((s) => [s.flag, s.env]));
  });

  it("gives each setting's default (a cell that opens with no code span documents an unset one)", () => {
    const documented = rows.map((cells) => (cells[2]?.startsWith('`') ? code(cells[2]) : ''));
    expect(documented).toEqual(settings.map((s) => String(s.default)));
  });

  it('says what each setting allows in the words of its error message', () => {
    expect(rows.map((cells) => cells[3])).toEqual(settings.map((s) => s.allowed));
  });

  it('says which commands take each flag', () => {
    expect(rows.map((cells) => cells[4])).toEqual(settings.map((s) => (s.scope === 'data' ? 'all' : 'serve')));
  });

  it('explains every setting', () => {
    for (const [i, cells] of rows.entries()) expect(cells[5]?.length ?? 0, settings[i]?.flag).toBeGreaterThan(10);
  });
});
