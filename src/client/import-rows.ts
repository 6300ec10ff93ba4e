import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../config/config.js';
import type { FieldViolation } from '../errors/catalogue.js';

/** One glossary entry of an import file, as read; the server judges it. */
export interface ImportRow {
  /** Where the row is in its file (1-based; a CSV record's last line), for the report. */
  line: number;
  key: string;
  aliases: string[];
  description: string;
  /** As written: relative paths are relative to the import file's folder. */
  images: string[];
  provider: string;
  outerId: string;
  /** What made the row unreadable (a JSONL value of the wrong type): the row is refused without a request. */
  problems: FieldViolation[];
}

/** The columns (CSV) and fields (JSONL) of an import file. */
export const importColumns = ['key', 'aliases', 'description', 'images', 'provider', 'outer_id'] as const;
type Column = (typeof importColumns)[number];
const requiredColumns: readonly Column[] = ['key', 'provider', 'outer_id'];

/**
 * The rows of `entries.csv` or `entries.jsonl`, by extension. CSV: a header row naming columns of
 * `importColumns` (any order; key, provider and outer_id required), cells trimmed, aliases and
 * images separated by `|`. JSONL: one object per line with those fields, aliases and images as
 * arrays of strings. A file that cannot be read this way is an argument error (status 2) before
 * anything is sent; a line that is not a valid object is one refused row.
 */
export function readImportFile(file: string): ImportRow[] {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.jsonl') throw new ConfigError(`${file}: the name must end in .csv or .jsonl (the format)`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  return ext === '.csv' ? csvRows(text, file) : jsonlRows(text);
}

function csvRows(text: string, file: string): ImportRow[] {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: (header: string[]) => checkedHeader(header, file), bom: true, trim: true, skip_empty_lines: true, info: true });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file} is not valid CSV: ${(err as Error).message}`);
  }
  return records.map(({ record, info }) => ({
    line: info.lines,
    key: record.key ?? '',
    aliases: splitList(record.aliases),
    description: record.description ?? '',
    images: splitList(record.images),
    provider: record.provider ?? '',
    outerId: record.outer_id ?? '',
    problems: [],
  }));
}

function checkedHeader(header: string[], file: string): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(importColumns as readonly string[]).includes(n));
  if (unknown.length > 0) throw new ConfigError(`${file}: unknown column(s) ${unknown.join(', ')}; the columns are ${importColumns.join(', ')}`);
  const missing = requiredColumns.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new ConfigError(`${file}: no ${missing.join(', ')} column; ${requiredColumns.join(', ')} are required`);
  return names;
}

/** `a | b|c` → [a, b, c]; empty items dropped. */
function splitList(cell: string | undefined): string[] {
  return (cell ?? '')
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function jsonlRows(text: string): ImportRow[] {
  const rows: ImportRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const row: ImportRow = { line: i + 1, key: '', aliases: [], description: '', images: [], provider: '', outerId: '', problems: [] };
    rows.push(row);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      row.problems.push({ field: 'line', description: `not JSON: ${(err as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      row.problems.push({ field: 'line', description: 'must be a JSON object' });
      return;
    }
    const obj = value as Record<string, unknown>;
    for (const name of Object.keys(obj)) {
      if (!(importColumns as readonly string[]).includes(name))
        row.problems.push({ field: name, description: `unknown field; the fields are ${importColumns.join(', ')}` });
    }
    const text = (name: Column): string => {
      const v = obj[name];
      if (v === undefined || v === null) return '';
      if (typeof v === 'string') return v;
      row.problems.push({ field: name, description: 'must be a string' });
      return '';
    };
    const list = (name: Column): string[] => {
      const v = obj[name];
      if (v === undefined || v === null) return [];
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.filter((s) => s.trim() !== '');
      row.problems.push({ field: name, description: 'must be an array of strings' });
      return [];
    };
    Object.assign(row, {
      key: text('key'),
      aliases: list('aliases'),
      description: text('description'),
      images: list('images'),
      provider: text('provider'),
      outerId: text('outer_id'),
    });
  });
  return rows;
}
