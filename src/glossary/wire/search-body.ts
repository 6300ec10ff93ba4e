import { LingoError } from '../../errors/lingo-error.js';
import type { FieldViolation } from '../../errors/catalogue.js';
import type { EntitySource } from '../model.js';
import { hasNul, nulRefused } from './body-fields.js';

export interface SearchBody {
  query: string | null;
  include: string[];
  exclude: string[];
  sources: EntitySource[];
  creators: string[];
}

const maxFilterItems = 100;

/**
 * The body of entity.search (§9), all optional. Paging and repo_id come from the query only: a
 * client that puts them in the body (lark-cli does) has them ignored, like any unknown field.
 */
export function parseSearchBody(body: Record<string, unknown>): SearchBody {
  const violations: FieldViolation[] = [];
  const fail = (field: string, description: string) => violations.push({ field, description });
  const result: SearchBody = { query: null, include: [], exclude: [], sources: [], creators: [] };

  const query = body.query;
  if (query !== undefined && query !== null) {
    if (typeof query !== 'string') fail('query', 'must be a string');
    else if (hasNul(query)) fail('query', nulRefused);
    else if (codePoints(query) < 1 || codePoints(query) > 100) fail('query', 'must be 1 to 100 characters');
    else result.query = query;
  }

  const filter = body.classification_filter;
  if (filter !== undefined && filter !== null) {
    if (typeof filter !== 'object' || Array.isArray(filter)) fail('classification_filter', 'must be an object');
    else {
      const f = filter as Record<string, unknown>;
      result.include = stringList(f.include, 'classification_filter.include', /^[1-9][0-9]{0,18}$/, 'a decimal classification id', fail);
      result.exclude = stringList(f.exclude, 'classification_filter.exclude', /^[1-9][0-9]{0,18}$/, 'a decimal classification id', fail);
    }
  }

  const sources = body.sources;
  if (sources !== undefined && sources !== null) {
    if (!Array.isArray(sources)) fail('sources', 'must be an array of integers 1 to 4');
    else if (sources.length > maxFilterItems) fail('sources', `at most ${maxFilterItems} items`);
    else
      (sources as unknown[]).forEach((s, i) => {
        if (s === 1 || s === 2 || s === 3 || s === 4) result.sources.push(s);
        else fail(`sources[${i}]`, 'must be 1 (user), 2 (bulk import), 3 (official) or 4 (open API)');
      });
  }

  result.creators = stringList(body.creators, 'creators', /^.{1,128}$/u, 'a user id of 1 to 128 characters', fail);
  if (violations.length > 0) throw new LingoError('invalidParam', { fieldViolations: violations });
  return result;
}

function stringList(value: unknown, field: string, shape: RegExp, what: string, fail: (field: string, why: string) => void): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail(field, 'must be an array of strings');
    return [];
  }
  if (value.length > maxFilterItems) {
    fail(field, `at most ${maxFilterItems} items`);
    return [];
  }
  const out: string[] = [];
  value.forEach((v, i) => {
    if (typeof v === 'string' && shape.test(v) && !hasNul(v)) out.push(v);
    else fail(`${field}[${i}]`, `must be ${what}`);
  });
  return out;
}

export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A required string body field of 1 to `max` characters (match's word, highlight's text). */
export function requiredText(body: Record<string, unknown>, field: string, max: number): string {
  const value = body[field];
  if (typeof value !== 'string') throw new LingoError('invalidParam', { fieldViolations: [{ field, description: 'required, a string' }] });
  if (hasNul(value)) throw new LingoError('invalidParam', { fieldViolations: [{ field, description: nulRefused }] });
  const n = codePoints(value);
  if (n < 1 || n > max) throw new LingoError('invalidParam', { fieldViolations: [{ field, description: `must be 1 to ${max} characters` }] });
  return value;
}
