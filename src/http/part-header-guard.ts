import type { BusboyInstance } from '@fastify/busboy';
import { watchPartHeaders } from './private-internals.js';

export type PartHeaderProblem = 'too long' | 'unterminated';

/**
 * @fastify/busboy does not fail a part whose header block exceeds `limits.headerSize`: it keeps the
 * first `headerSize` bytes, drops the rest and parses what it kept, so an over-long header slips
 * through (or its part silently vanishes). Nor does it fail a part whose header block is cut off by
 * the next boundary: that part is skipped without a word. Its header parser knows both, and
 * watchPartHeaders (private-internals.ts) shows us its state at the end of each header block and
 * at each boundary. test/hostile/malformed-http.test.ts pins the behaviour.
 *
 * Throws if busboy's internals moved (see watchPartHeaders): the upload then fails loudly.
 */
export function guardPartHeaders(busboy: BusboyInstance, onProblem: (problem: PartHeaderProblem) => void): void {
  watchPartHeaders(busboy, {
    atHeaderEnd(state) {
      if (state.maxed) onProblem('too long');
    },
    atBoundary(state) {
      if (state.maxed) onProblem('too long');
      else if (state.nread > 0) onProblem('unterminated');
    },
  });
}
