import type { EntityStore } from '../glossary-store.js';
import { entityWireId } from '../model.js';
import { KeyTrie } from './key-trie.js';

/** One highlighted phrase, as §10 answers it (the wire layer renames entityIds to entity_ids). */
export interface Phrase {
  name: string;
  /** Wire ids (`enterprise_<seq>`), by seq ascending. */
  entityIds: string[];
  /** Unicode code points, end exclusive. */
  span: { start: number; end: number };
}

export type HighlightSource = Pick<EntityStore, 'glossaryVersion' | 'highlightChangesSince'>;

export interface HighlighterOptions {
  /** Tenant indexes kept at most (least recently used evicted first). Default 1,000. */
  maxTenants?: number;
  /**
   * Trie nodes kept at most over all tenants. A node costs ~62 bytes all told (typed arrays,
   * maps, seq lists: 9 MB for the bench's 20,000 keys in 145,000 nodes), so the default
   * 1,000,000 is ~60 MB, about seven such glossaries. The index in use is never evicted, whatever
   * its size.
   */
  maxNodes?: number;
}

interface TenantIndex {
  readonly trie: KeyTrie;
  /** The glossary version every change up to which is in the trie. */
  applied: number;
  /** Nodes counted in the cache's total for this index. */
  nodes: number;
  /** The refresh under way, which concurrent callers share instead of applying twice. */
  refresh: Promise<void> | undefined;
}

/**
 * Highlight over per-tenant key indexes kept in this process and refreshed from the shared store
 * before each answer: one cheap version read per call, and the changed entities' keys when the
 * version moved. That is how several instances stay current: a write acknowledged by instance A
 * has raised the version, so instance B's next call reads the version, applies the change, and
 * highlights it. An entity write touches only that entity's keys in each index, never a rebuild.
 */
export class Highlighter {
  /** Least recently used first (Map keeps insertion order; a use re-inserts). */
  private readonly indexes = new Map<string, TenantIndex>();
  private totalNodes = 0;
  private readonly maxTenants: number;
  private readonly maxNodes: number;

  constructor(
    private readonly store: HighlightSource,
    options: HighlighterOptions = {},
  ) {
    this.maxTenants = options.maxTenants ?? 1000;
    this.maxNodes = options.maxNodes ?? 1_000_000;
  }

  async highlight(tenantKey: string, text: string): Promise<Phrase[]> {
    const index = this.use(tenantKey);
    await this.catchUp(tenantKey, index);
    return index.trie.scan(text).map((m) => ({ name: m.name, entityIds: m.seqs.map(entityWireId), span: { start: m.start, end: m.end } }));
  }

  /** Indexes held and their nodes, for tests and metrics. */
  stats(): { tenants: number; nodes: number } {
    return { tenants: this.indexes.size, nodes: this.totalNodes };
  }

  private async catchUp(tenantKey: string, index: TenantIndex): Promise<void> {
    const current = await this.store.glossaryVersion(tenantKey);
    // A refresh already under way may have read the store before this caller's write was
    // acknowledged; after joining it, the loop runs (or joins) one that started after our read.
    // Two rounds suffice for a consistent store; the bound keeps a faulty one from spinning.
    for (let round = 0; index.applied < current && round < 2; round++) {
      index.refresh ??= this.apply(tenantKey, index).finally(() => {
        index.refresh = undefined;
      });
      await index.refresh;
    }
  }

  private async apply(tenantKey: string, index: TenantIndex): Promise<void> {
    const delta = await this.store.highlightChangesSince(tenantKey, index.applied);
    // add() replaces the entity's keys; an entity gone (or left with none) has keys [].
    for (const { seq, keys } of delta.changed) index.trie.add(seq, keys);
    index.applied = Math.max(index.applied, delta.version);
    const nodes = index.trie.stats().nodes;
    if (this.indexes.get(tenantKey) === index) {
      this.totalNodes += nodes - index.nodes;
      index.nodes = nodes;
      this.evictBeyondBudget(index);
    }
  }

  /** The tenant's index, created empty (version 0) if absent, marked most recently used. */
  private use(tenantKey: string): TenantIndex {
    let index = this.indexes.get(tenantKey);
    if (index !== undefined) this.indexes.delete(tenantKey);
    else index = { trie: new KeyTrie(), applied: 0, nodes: 0, refresh: undefined };
    this.indexes.set(tenantKey, index);
    this.evictBeyondBudget(index);
    return index;
  }

  /** Drops least recently used indexes, never `keep`, until both bounds hold. */
  private evictBeyondBudget(keep: TenantIndex): void {
    for (const [tenantKey, index] of this.indexes) {
      if (this.indexes.size <= this.maxTenants && this.totalNodes <= this.maxNodes) return;
      if (index === keep) continue;
      // A call still holding it finishes on it; the tenant's next call rebuilds from version 0.
      this.indexes.delete(tenantKey);
      this.totalNodes -= index.nodes;
    }
  }
}
