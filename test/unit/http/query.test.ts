import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LingoError } from '../../../src/errors/lingo-error.js';
import type { RequestContext } from '../../../src/http/context.js';
import { optionalString, pageSizeOf, queryOf, repoIdOf, userIdTypeOf } from '../../../src/http/query.js';

const q = (s: string) => new URLSearchParams(s);

/** The one violation `fn` throws: a 400 2250001 on `field`. */
function violation(fn: () => unknown): { field: string; description: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LingoError);
    const e = err as LingoError;
    expect(e.key).toBe('invalidParam');
    expect(e.details.fieldViolations).toHaveLength(1);
    return e.details.fieldViolations![0]!;
  }
  throw new Error('expected a LingoError');
}

describe('queryOf', () => {
  it('reads the query of the request URL, as qs arrayFormat "repeat" writes it', () => {
    const ctx = { req: { url: '/open-apis/lingo/v1/entities?page_size=5&a=1&a=2&x=%E8%AF%8D+y' } as IncomingMessage } as RequestContext;
    const query = queryOf(ctx);
    expect(query.get('page_size')).toBe('5');
    expect(query.getAll('a')).toEqual(['1', '2']);
    expect(query.get('x')).toBe('词 y');
    expect([...queryOf({ req: { url: '/p' } as IncomingMessage } as RequestContext)]).toEqual([]);
  });
});

describe('pageSizeOf', () => {
  it('defaults to 20 and accepts 1 to 100 in decimal digits', () => {
    expect(pageSizeOf(q(''))).toBe(20);
    expect(pageSizeOf(q('page_size='))).toBe(20);
    expect(pageSizeOf(q('page_size=1'))).toBe(1);
    expect(pageSizeOf(q('page_size=100'))).toBe(100);
    expect(pageSizeOf(q('page_size=007'))).toBe(7);
  });

  it('refuses anything else on page_size', () => {
    for (const bad of ['0', '101', '1000000000000000000000', '-1', '+5', '5.0', '1e2', '0x10', ' 5', 'ten']) {
      const v = violation(() => pageSizeOf(q(`page_size=${encodeURIComponent(bad)}`)));
      expect(v.field, bad).toBe('page_size');
    }
    expect(violation(() => pageSizeOf(q('page_size=5&page_size=6'))).description).toBe('must be given at most once');
  });
});

describe('userIdTypeOf', () => {
  it('defaults to open_id and accepts the three kinds', () => {
    expect(userIdTypeOf(q(''))).toBe('open_id');
    for (const t of ['open_id', 'union_id', 'user_id']) expect(userIdTypeOf(q(`user_id_type=${t}`))).toBe(t);
  });

  it('refuses other values on user_id_type', () => {
    for (const bad of ['OPEN_ID', 'email', 'open_id '])
      expect(violation(() => userIdTypeOf(q(`user_id_type=${encodeURIComponent(bad)}`))).field).toBe('user_id_type');
  });
});

describe('repoIdOf', () => {
  it('is null when absent and passes a positive int64', () => {
    expect(repoIdOf(q(''))).toBeNull();
    expect(repoIdOf(q('repo_id='))).toBeNull();
    expect(repoIdOf(q('repo_id=7152790921053274113'))).toBe('7152790921053274113');
    expect(repoIdOf(q('repo_id=9223372036854775807'))).toBe('9223372036854775807');
  });

  it('refuses other shapes on repo_id', () => {
    for (const bad of ['0', '-1', '01', '9223372036854775808', '1.5', 'abc', '1 ', '12345678901234567890']) {
      expect(violation(() => repoIdOf(q(`repo_id=${encodeURIComponent(bad)}`))).field, bad).toBe('repo_id');
    }
  });
});

describe('optionalString', () => {
  it('treats an empty value as absent and refuses a repeated one', () => {
    expect(optionalString(q('provider=x'), 'provider')).toBe('x');
    expect(optionalString(q('provider='), 'provider')).toBeNull();
    expect(optionalString(q(''), 'provider')).toBeNull();
    expect(violation(() => optionalString(q('provider=a&provider=b'), 'provider'))).toEqual({ field: 'provider', description: 'must be given at most once' });
  });

  it('refuses a NUL (%00), which PostgreSQL text cannot hold', () => {
    expect(violation(() => optionalString(q('provider=a%00b'), 'provider'))).toEqual({ field: 'provider', description: 'must not contain U+0000 (NUL)' });
  });
});
