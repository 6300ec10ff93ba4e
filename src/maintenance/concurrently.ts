/**
 * Runs `work` on each item of `items` with at most `limit` under way, pulling the next item only
 * when a slot frees (so a long listing is never read ahead). At the first failure no new item is
 * taken; the ones under way end, the iteration is closed (releasing a database cursor), and the
 * failure is thrown.
 */
export async function forEachConcurrently<T>(items: AsyncIterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  // One next() at a time: not every async iterator queues concurrent calls as generators do.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<T>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next.catch(() => {});
    return next;
  };
  let failure: { err: unknown } | undefined;
  let exhausted = false;
  const worker = async (): Promise<void> => {
    try {
      while (!failure) {
        const next = await pull();
        if (next.done) {
          exhausted = true;
          return;
        }
        await work(next.value);
      }
    } catch (err) {
      failure ??= { err };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (!exhausted) {
    try {
      await iterator.return?.();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
