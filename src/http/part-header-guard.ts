import type { BusboyInstance } from '@fastify/busboy';

export type PartHeaderProblem = 'too long' | 'unterminated';

/** The parts of dicer's HeaderParser (vendored in @fastify/busboy 3.2.x) that the guard reads. */
interface HeaderParserInternals {
  maxed: boolean;
  nread: number;
  _finish(): void;
  reset(): void;
}

/**
 * @fastify/busboy does not fail a part whose header block exceeds `limits.headerSize`: it keeps the
 * first `headerSize` bytes, drops the rest and parses what it kept, so an over-long header slips
 * through (or its part silently vanishes). Nor does it fail a part whose header block is cut off by
 * the next boundary: that part is skipped without a word. Its header parser (one per multipart
 * parser, reused for every part) knows both: `maxed` is set once the limit is hit, and `nread`
 * counts the bytes of a block still being read. It clears them in `_finish()` just before emitting
 * 'header', and in `reset()` at each boundary, so we wrap those two methods on this instance and
 * read the state first.
 *
 * These are internals (checked against 3.2.6): if they are not where expected after an upgrade,
 * this throws, so every upload fails loudly (500, logged) instead of over-long headers passing
 * unnoticed. test/hostile/malformed-http.test.ts pins the behaviour.
 */
export function guardPartHeaders(busboy: BusboyInstance, onProblem: (problem: PartHeaderProblem) => void): void {
  const internals = busboy as unknown as { _parser?: { parser?: { _hparser?: Partial<HeaderParserInternals> } } };
  const parser = internals._parser?.parser?._hparser;
  if (
    !parser ||
    typeof parser._finish !== 'function' ||
    typeof parser.reset !== 'function' ||
    typeof parser.maxed !== 'boolean' ||
    typeof parser.nread !== 'number'
  ) {
    throw new Error('@fastify/busboy internals changed: cannot enforce the multipart part header limit (see src/http/part-header-guard.ts)');
  }
  const hp = parser as HeaderParserInternals;
  const finish = hp._finish;
  const reset = hp.reset;
  hp._finish = function (this: HeaderParserInternals): void {
    if (this.maxed) onProblem('too long');
    finish.call(this);
  };
  hp.reset = function (this: HeaderParserInternals): void {
    if (this.maxed) onProblem('too long');
    else if (this.nread > 0) onProblem('unterminated');
    reset.call(this);
  };
}
