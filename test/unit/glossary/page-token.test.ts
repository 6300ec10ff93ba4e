import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LingoError } from '../../../src/errors/lingo-error.js';
import { PageTokens } from '../../../src/glossary/page-token.js';

const tokens = new PageTokens(randomBytes(32));

function refusal(fn: () => unknown): LingoError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LingoError);
    return err as LingoError;
  }
  throw new Error('expected the token to be refused');
}

describe('PageTokens', () => {
  it('opens what it sealed, for the same scope', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 200 }), (scope, cursor) => {
        const token = tokens.seal(scope, cursor);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(tokens.open(scope, token)).toBe(cursor);
      }),
    );
  });

  it('refuses a token sealed for another scope, or with another key', () => {
    const token = tokens.seal('entity.list|repo=1|provider=', '42');
    refusal(() => tokens.open('entity.list|repo=2|provider=', token));
    refusal(() => tokens.open('entity.list|repo=1|provider=x', token));
    refusal(() => new PageTokens(randomBytes(32)).open('entity.list|repo=1|provider=', token));
  });

  it('does not confuse a byte moved between scope and cursor', () => {
    const token = tokens.seal('ab', 'c');
    refusal(() => tokens.open('a', token));
    const moved = tokens.seal('a', 'bc');
    refusal(() => tokens.open('ab', moved));
  });

  it('refuses every single-character alteration', () => {
    const token = tokens.seal('scope', 'cursor-17');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        const e = refusal(() => tokens.open('scope', altered));
        expect(e.details.fieldViolations?.[0]?.field).toBe('page_token');
      }
    }
  });

  it('refuses malformed tokens on page_token, never anything else', () => {
    for (const bad of ['', 'abc', '!!!!', 'a'.repeat(600), '7202510112396640276', tokens.seal('s', 'x') + '=', tokens.seal('s', 'x').slice(1)]) {
      const e = refusal(() => tokens.open('s', bad));
      expect(e.key).toBe('invalidParam');
      expect(e.details.fieldViolations).toEqual([{ field: 'page_token', description: expect.stringMatching(/page_token/) as unknown as string }]);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (s) => {
        expect(() => tokens.open('s', s)).toThrow(LingoError);
      }),
    );
  });

  it('wants a key of at least 16 bytes', () => {
    expect(() => new PageTokens(Buffer.alloc(8))).toThrow();
  });
});
