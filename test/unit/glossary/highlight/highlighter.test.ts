import { describe, expect, it } from 'vitest';
import type { HighlightDelta } from '../../../../src/glossary/glossary-store.js';
import { Highlighter, type HighlightSource } from '../../../../src/glossary/highlight/highlighter.js';

/**
 * The two store methods the Highlighter reads, in memory, with the store contract's semantics:
 * every write raises the tenant's version, and a delta holds each entity changed after `since`
 * with its keys now ([] once deleted). `hold` keeps deltas from being answered (after their
 * snapshot is taken) until released, to put a refresh in flight on purpose.
 */
class MemoryHighlightSource implements HighlightSource {
  versionReads = 0;
  readonly changeReads: { tenantKey: string; since: number }[] = [];
  failNext = false;
  private held: Promise<void> | undefined;
  private readonly tenants = new Map<string, { version: number; rows: Map<string, { keys: string[]; version: number }> }>();

  put(tenantKey: string, seq: string, keys: string[]): void {
    const t = this.tenants.get(tenantKey) ?? { version: 0, rows: new Map() };
    this.tenants.set(tenantKey, t);
    t.version++;
    t.rows.set(seq, { keys, version: t.version });
  }

  delete(tenantKey: string, seq: string): void {
    this.put(tenantKey, seq, []);
  }

  /** Deltas wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  async glossaryVersion(tenantKey: string): Promise<number> {
    this.versionReads++;
    return this.tenants.get(tenantKey)?.version ?? 0;
  }

  async highlightChangesSince(tenantKey: string, since: number): Promise<HighlightDelta> {
    this.changeReads.push({ tenantKey, since });
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store unavailable');
    }
    const t = this.tenants.get(tenantKey) ?? { version: 0, rows: new Map<string, { keys: string[]; version: number }>() };
    const delta: HighlightDelta = {
      version: t.version,
      changed: [...t.rows].filter(([, r]) => r.version > since).map(([seq, r]) => ({ seq, keys: [...r.keys] })),
    };
    await this.held;
    return delta;
  }
}

/** Until `condition` holds, at most 100 turns of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

const names = (phrases: { name: string }[]): string[] => phrases.map((p) => p.name);

describe('Highlighter', () => {
  it('answers phrases with wire ids by seq and code-point spans', async () => {
    const store = new MemoryHighlightSource();
    store.put('t1', '10', ['AI', '人工智能']);
    store.put('t1', '9', ['AI']);
    store.put('t1', '3', ['𠀀文']);
    const phrases = await new Highlighter(store).highlight('t1', '😀AI 与 𠀀文 和人工智能');
    expect(phrases).toEqual([
      { name: 'AI', entityIds: ['enterprise_9', 'enterprise_10'], span: { start: 1, end: 3 } },
      { name: '𠀀文', entityIds: ['enterprise_3'], span: { start: 6, end: 8 } },
      { name: '人工智能', entityIds: ['enterprise_10'], span: { start: 10, end: 14 } },
    ]);
  });

  it('reads only the version when nothing changed, and only the changes when it did', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store);
    expect(await highlighter.highlight('t1', 'Lingo')).toEqual([]);
    expect(store.changeReads).toEqual([]); // version 0: nothing to read

    store.put('t1', '1', ['Lingo']);
    expect(names(await highlighter.highlight('t1', 'Lingo'))).toEqual(['Lingo']);
    expect(names(await highlighter.highlight('t1', 'Lingo'))).toEqual(['Lingo']);
    store.put('t1', '2', ['飞书']);
    expect(names(await highlighter.highlight('t1', 'Lingo 飞书'))).toEqual(['Lingo', '飞书']);
    expect(store.changeReads).toEqual([
      { tenantKey: 't1', since: 0 },
      { tenantKey: 't1', since: 1 },
    ]);
    expect(store.versionReads).toBe(4);
  });

  it('follows updates and deletes', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store);
    store.put('t1', '1', ['old', 'stay']);
    store.put('t1', '2', ['gone']);
    expect(names(await highlighter.highlight('t1', 'old stay gone new'))).toEqual(['old', 'stay', 'gone']);
    store.put('t1', '1', ['stay', 'new']);
    store.delete('t1', '2');
    expect(names(await highlighter.highlight('t1', 'old stay gone new'))).toEqual(['stay', 'new']);
    store.delete('t1', '1');
    expect(await highlighter.highlight('t1', 'old stay gone new')).toEqual([]);
    expect(highlighter.stats()).toEqual({ tenants: 1, nodes: 0 });
  });

  it('keeps tenants apart', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store);
    store.put('t1', '1', ['secret']);
    store.put('t2', '1', ['public']);
    expect(names(await highlighter.highlight('t1', 'secret public'))).toEqual(['secret']);
    expect(names(await highlighter.highlight('t2', 'secret public'))).toEqual(['public']);
  });

  it('shares one refresh among concurrent calls for a tenant', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store);
    store.put('t1', '1', ['AI']);
    store.put('t1', '2', ['AI']);
    const release = store.hold();
    const calls = Array.from({ length: 10 }, () => highlighter.highlight('t1', 'AI'));
    await until(() => store.versionReads === 10);
    release();
    for (const phrases of await Promise.all(calls))
      expect(phrases).toEqual([{ name: 'AI', entityIds: ['enterprise_1', 'enterprise_2'], span: { start: 0, end: 2 } }]);
    expect(store.changeReads).toEqual([{ tenantKey: 't1', since: 0 }]);
  });

  it('answers a call with every write acknowledged before it, even while an older refresh is in flight', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store);
    store.put('t1', '1', ['first']);
    const release = store.hold();
    const early = highlighter.highlight('t1', 'first second');
    await until(() => store.changeReads.length === 1); // its refresh has read version 1 and waits
    store.put('t1', '2', ['second']); // acknowledged now, after that read
    const late = highlighter.highlight('t1', 'first second');
    await until(() => store.versionReads === 2);
    release();
    expect(names(await late)).toEqual(['first', 'second']);
    expect(names(await early)).toContain('first');
    expect(store.changeReads).toEqual([
      { tenantKey: 't1', since: 0 },
      { tenantKey: 't1', since: 1 },
    ]);
  });

  it('fails the calls of a failed refresh, applies nothing of it, and retries on the next call', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store);
    store.put('t1', '1', ['AI']);
    store.failNext = true;
    await expect(highlighter.highlight('t1', 'AI')).rejects.toThrow('store unavailable');
    expect(names(await highlighter.highlight('t1', 'AI'))).toEqual(['AI']);
    expect(store.changeReads.map((r) => r.since)).toEqual([0, 0]);
  });

  it('evicts the least recently used tenant beyond maxTenants', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store, { maxTenants: 2 });
    for (const t of ['t1', 't2', 't3']) store.put(t, '1', [t]);
    await highlighter.highlight('t1', 't1');
    await highlighter.highlight('t2', 't2');
    await highlighter.highlight('t1', 't1'); // t1 is now the most recent, t2 the least
    await highlighter.highlight('t3', 't3');
    expect(highlighter.stats()).toEqual({ tenants: 2, nodes: 4 });
    expect(names(await highlighter.highlight('t1', 't1'))).toEqual(['t1']);
    expect(names(await highlighter.highlight('t2', 't2'))).toEqual(['t2']); // rebuilt from version 0
    expect(store.changeReads).toEqual(['t1', 't2', 't3', 't2'].map((tenantKey) => ({ tenantKey, since: 0 })));
  });

  it('evicts older tenants beyond maxNodes, never the one in use', async () => {
    const store = new MemoryHighlightSource();
    const highlighter = new Highlighter(store, { maxNodes: 15 });
    store.put('t1', '1', ['0123456789']);
    store.put('t2', '1', ['abcdefghij']);
    store.put('t3', '1', ['x'.repeat(20)]);
    await highlighter.highlight('t1', '');
    expect(highlighter.stats()).toEqual({ tenants: 1, nodes: 10 });
    await highlighter.highlight('t2', '');
    expect(highlighter.stats()).toEqual({ tenants: 1, nodes: 10 });
    expect(names(await highlighter.highlight('t3', 'x'.repeat(20)))).toHaveLength(1);
    expect(highlighter.stats()).toEqual({ tenants: 1, nodes: 20 });
  });
});
