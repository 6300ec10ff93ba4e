import { forEachConcurrently } from '../maintenance/concurrently.js';

/**
 * `work` on each item, `concurrency` at a time, in order of start. The client commands' work
 * never throws (each item records its own outcome), so no item is left out by another's failure.
 */
export function runEach<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  async function* each(): AsyncGenerator<T> {
    yield* items;
  }
  return forEachConcurrently(each(), concurrency, work);
}
