import { describe, expect, it, vi } from 'vitest';
import { instrument, type BackendCallSink } from '../../../src/observe/instrument.js';
import type { BackendLabels } from '../../../src/observe/metrics.js';

class Store {
  readonly name = 'store';
  calls = 0;
  #secret = 41;
  async read(n: number): Promise<number> {
    this.calls++;
    return this.#secret + n;
  }
  async fail(): Promise<never> {
    throw new Error('down');
  }
  async twice(): Promise<number> {
    return (await this.read(0)) + (await this.read(0));
  }
  async stage(): Promise<{ publish(): Promise<string> }> {
    return { publish: async () => 'published' };
  }
  *keys(): Iterable<string> {
    yield 'a';
  }
}

const labels: BackendLabels = { store: 'meta', backend: 'sqlite' };

function recorded(): { sink: BackendCallSink; calls: Array<{ method: string; failed: boolean; seconds: number }> } {
  const calls: Array<{ method: string; failed: boolean; seconds: number }> = [];
  return { calls, sink: (l, method, seconds, failed) => (expect(l).toBe(labels), calls.push({ method, seconds, failed })) };
}

describe('instrument', () => {
  it('times each promise-returning call on the target itself: private fields work, inner calls are not counted again', async () => {
    const { sink, calls } = recorded();
    const store = instrument(new Store(), labels, sink);
    expect(store).toBeInstanceOf(Store);
    expect(store.name).toBe('store');
    expect(await store.read(1)).toBe(42);
    expect(await store.twice()).toBe(82);
    expect(calls.map((c) => [c.method, c.failed])).toEqual([
      ['read', false],
      ['twice', false],
    ]);
    expect(calls.every((c) => c.seconds >= 0 && c.seconds < 5)).toBe(true);
    expect(store.calls).toBe(3);
  });

  it('counts a rejection as failed and passes it on unchanged; passes other results through untimed', async () => {
    const { sink, calls } = recorded();
    const store = instrument(new Store(), labels, sink);
    await expect(store.fail()).rejects.toThrow('down');
    expect([...store.keys()]).toEqual(['a']);
    expect(calls).toEqual([{ method: 'fail', failed: true, seconds: expect.any(Number) }]);
  });

  it('wrapResult instruments what a call resolves to', async () => {
    const { sink, calls } = recorded();
    const store = instrument(new Store(), labels, sink, (method, value) => (method === 'stage' ? instrument(value as object, labels, sink) : value));
    const staged = await store.stage();
    expect(await staged.publish()).toBe('published');
    expect(calls.map((c) => c.method)).toEqual(['stage', 'publish']);
  });

  it('a method replaced on the instrumented object (vi.spyOn) is what runs, and is timed', async () => {
    const { sink, calls } = recorded();
    const store = instrument(new Store(), labels, sink);
    await store.read(0);
    const spy = vi.spyOn(store, 'read').mockResolvedValueOnce(7);
    expect(await store.read(0)).toBe(7);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(calls.map((c) => c.method)).toEqual(['read', 'read']);
  });
});
