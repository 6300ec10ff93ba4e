import { PageTokens } from './page-token.js';
import type { EntityStore } from './glossary-store.js';

/**
 * Pages of list, search and classification.list (§1.5). The token is signed with the database's
 * key, so any instance continues a walk another began. The last page carries no `page_token` key
 * at all: the Go iterators stop only on its absence.
 */
export class Paging {
  private tokens: Promise<PageTokens> | undefined;

  constructor(private readonly store: Pick<EntityStore, 'pageTokenKey'>) {}

  /** The cursor a page token carries, or null for the first page. `scope` binds it to one query. */
  async cursor(scope: string, pageToken: string | null): Promise<string | null> {
    return pageToken === null ? null : (await this.signer()).open(scope, pageToken);
  }

  /** `rows` holds up to pageSize + 1 items: the extra one only says that there is more. */
  async page<T>(scope: string, rows: T[], pageSize: number, cursorOf: (last: T) => string): Promise<{ items: T[]; page_token?: string; has_more: boolean }> {
    if (rows.length <= pageSize) return { items: rows, has_more: false };
    const items = rows.slice(0, pageSize);
    return { items, page_token: (await this.signer()).seal(scope, cursorOf(items[items.length - 1]!)), has_more: true };
  }

  private signer(): Promise<PageTokens> {
    // A failed read (database down) is not remembered: the next request tries again.
    this.tokens ??= this.store.pageTokenKey().then(
      (key) => new PageTokens(key),
      (err: unknown) => {
        this.tokens = undefined;
        throw err;
      },
    );
    return this.tokens;
  }
}
