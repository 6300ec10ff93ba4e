import { performance } from 'node:perf_hooks';
import type { BackendLabels } from './metrics.js';

export type BackendCallSink = (labels: BackendLabels, method: string, seconds: number, failed: boolean) => void;

/**
 * `target` as its callers see it, with every method that returns a promise timed: how long it
 * took to settle, and whether it rejected. A Proxy rather than one decorator class per interface
 * (MetaStore, GlossaryStore, BlobStore, RateLimiter: some forty methods) because it times the
 * calls the services actually make, needs no change when an interface grows, and leaves the
 * backends untouched. Methods run on the target itself, so calls a backend makes to its own
 * methods are not counted twice, and `instanceof` and plain properties (`pool`, `key`) still
 * see the target. Methods returning something else (async iterables) are passed through.
 *
 * `wrapResult` instruments what a call resolves to (a blob store's StagedBlob, whose publish()
 * is the write that matters).
 */
export function instrument<T extends object>(
  target: T,
  labels: BackendLabels,
  sink: BackendCallSink,
  wrapResult?: (method: string, value: unknown) => unknown,
): T {
  // By function, not by name: a test that replaces a method (vi.spyOn) gets its replacement timed.
  const wrappers = new WeakMap<object, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') return value;
      let wrapped = wrappers.get(value);
      if (!wrapped) {
        wrapped = timed(t, prop, value as (...args: unknown[]) => unknown, labels, sink, wrapResult);
        wrappers.set(value, wrapped);
      }
      return wrapped;
    },
  });
}

function timed(
  target: object,
  method: string,
  fn: (...args: unknown[]) => unknown,
  labels: BackendLabels,
  sink: BackendCallSink,
  wrapResult: ((method: string, value: unknown) => unknown) | undefined,
): (...args: unknown[]) => unknown {
  return (...args: unknown[]): unknown => {
    const started = performance.now();
    const result = fn.apply(target, args);
    if (!(result instanceof Promise)) return result;
    const end = (failed: boolean): void => sink(labels, method, (performance.now() - started) / 1000, failed);
    return result.then(
      (value: unknown) => {
        end(false);
        return wrapResult ? wrapResult(method, value) : value;
      },
      (err: unknown) => {
        end(true);
        throw err;
      },
    );
  };
}
