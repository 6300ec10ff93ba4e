import { randomBytes } from 'node:crypto';
import type {
  DraftReview,
  EntityListQuery,
  EntitySearchQuery,
  EntityWrite,
  GlossaryStore,
  ConsoleCredential,
  ConsoleFileRow,
  HighlightDelta,
  MatchType,
  SearchCursor,
  SearchRank,
} from '../glossary-store.js';
import type { CopyRow, EntityPart, GlossaryCopy, GlossaryTable, IdentityTable, WriteOutcome } from '../glossary-copy.js';
import type { ClassificationRecord, DraftRecord, DraftState, EntityContent, EntityRecord, OuterInfo, RepoRecord } from '../model.js';
import * as consoleRows from './console-programs.js';
import * as copy from './copy-programs.js';
import * as drafts from './draft-programs.js';
import * as entityWrites from './entity-programs.js';
import * as entities from './entity-queries.js';
import type { Program, RunMode } from './program.js';
import * as repos from './repo-programs.js';

/**
 * The GlossaryStore of every SQL backend: each method is a program (src/glossary/sql/*-programs.ts,
 * entity-queries.ts) that the backend's `run` executes in the mode it needs. Subclasses only
 * know how to run statements, and (for migrate's GlossaryCopy) how their identity counters work.
 */
export abstract class SqlGlossaryStore implements GlossaryStore, GlossaryCopy {
  private signingKey: Promise<Buffer> | undefined;

  /** Runs `program` to its end; a Rollback it throws ends the transaction and answers its outcome. */
  protected abstract run<R>(program: Program<R>, mode: RunMode): Promise<R>;

  abstract identityHighWater(table: IdentityTable): Promise<number>;
  abstract raiseIdentity(table: IdentityTable, atLeast: number): Promise<void>;

  async companyRepo(tenantKey: string): Promise<RepoRecord> {
    return (await this.run(repos.findCompanyRepo(tenantKey), 'read')) ?? this.run(repos.createCompanyRepo(tenantKey), 'write');
  }

  createRepo(tenantKey: string, name: string): Promise<RepoRecord> {
    return this.run(repos.createRepo(tenantKey, name), 'write');
  }

  findRepo(repoId: string): Promise<RepoRecord | undefined> {
    return this.run(repos.findRepo(repoId), 'read');
  }

  grantRepo(repoId: string, appId: string): Promise<void> {
    return this.run(repos.grantRepo(repoId, appId), 'write');
  }

  isRepoGranted(repoId: string, appId: string): Promise<boolean> {
    return this.run(repos.isRepoGranted(repoId, appId), 'read');
  }

  async listRepos(tenantKey: string, appId: string | null): Promise<RepoRecord[]> {
    const company = await this.companyRepo(tenantKey);
    return [company, ...(await this.run(repos.listOtherRepos(tenantKey, appId), 'read'))];
  }

  createClassification(row: Omit<ClassificationRecord, 'id'>): Promise<ClassificationRecord> {
    return this.run(repos.createClassification(row), 'write');
  }

  listClassifications(repoId: string, afterId: string | null, limit: number): Promise<ClassificationRecord[]> {
    return this.run(repos.listClassifications(repoId, afterId, limit), 'read');
  }

  findClassifications(repoId: string, ids: readonly string[]): Promise<ClassificationRecord[]> {
    return this.run(repos.findClassifications(repoId, ids), 'read');
  }

  insertEntity(row: Omit<EntityRecord, 'seq'>): Promise<EntityWrite> {
    return this.run(entityWrites.insertEntity(row), 'write');
  }

  replaceEntity(tenantKey: string, seq: string, content: EntityContent, updater: string, updatedAtMs: number): Promise<EntityWrite | 'missing'> {
    return this.run(entityWrites.replaceEntity(tenantKey, seq, content, updater, updatedAtMs), 'write');
  }

  deleteEntity(tenantKey: string, seq: string): Promise<boolean> {
    return this.run(entityWrites.deleteEntity(tenantKey, seq), 'write');
  }

  findEntity(tenantKey: string, seq: string): Promise<EntityRecord | undefined> {
    return this.run(entities.findEntity(tenantKey, seq), 'read');
  }

  findEntityByOuterInfo(tenantKey: string, outer: OuterInfo): Promise<EntityRecord | undefined> {
    return this.run(entities.findEntityByOuterInfo(tenantKey, outer), 'read');
  }

  listEntities(query: EntityListQuery): Promise<EntityRecord[]> {
    return this.run(entities.listEntities(query), 'read');
  }

  searchEntities(query: EntitySearchQuery, after: SearchCursor | null, limit: number): Promise<{ entity: EntityRecord; rank: SearchRank }[]> {
    return this.run(entities.searchEntities(query, after, limit), 'read');
  }

  matchEntities(tenantKey: string, repoId: string, word: string): Promise<{ seq: string; type: MatchType }[]> {
    return this.run(entities.matchEntities(tenantKey, repoId, word), 'read');
  }

  glossaryVersion(tenantKey: string): Promise<number> {
    return this.run(entities.glossaryVersion(tenantKey), 'read');
  }

  highlightChangesSince(tenantKey: string, version: number): Promise<HighlightDelta> {
    return this.run(entities.highlightChangesSince(tenantKey, version), 'snapshot');
  }

  /** Read once per store (it never changes once made); a failed attempt is forgotten. */
  pageTokenKey(): Promise<Buffer> {
    this.signingKey ??= this.loadPageTokenKey().catch((err: unknown) => {
      this.signingKey = undefined;
      throw err;
    });
    return this.signingKey;
  }

  private async loadPageTokenKey(): Promise<Buffer> {
    return (await this.run(entities.findPageTokenKey(), 'read')) ?? this.run(entities.createPageTokenKey(randomBytes(32)), 'write');
  }

  insertDraft(row: Omit<DraftRecord, 'draftId' | 'state' | 'entitySeq'>): Promise<DraftRecord> {
    return this.run(drafts.insertDraft(row), 'write');
  }

  findDraft(draftId: string): Promise<DraftRecord | undefined> {
    return this.run(drafts.findDraft(draftId), 'read');
  }

  updateDraft(draftId: string, content: EntityContent, targetSeq: string | null, updatedAtMs: number): Promise<DraftRecord | 'missing' | 'reviewed'> {
    return this.run(drafts.updateDraft(draftId, content, targetSeq, updatedAtMs), 'write');
  }

  listDrafts(tenantKey: string, state: DraftState | null): Promise<DraftRecord[]> {
    return this.run(drafts.listDrafts(tenantKey, state), 'read');
  }

  reviewDraft(draftId: string, decision: 'approved' | 'rejected', atMs: number): Promise<DraftReview> {
    return this.run(drafts.reviewDraft(draftId, decision, atMs), 'write');
  }

  readRows(table: GlossaryTable, after: CopyRow | null, limit: number): Promise<CopyRow[]> {
    return this.run(copy.readRows(table, after, limit), 'read');
  }

  readEntityParts(table: EntityPart, seqs: readonly number[]): Promise<CopyRow[]> {
    return this.run(copy.readEntityParts(table, seqs), 'read');
  }

  writeRows(table: GlossaryTable, rows: readonly CopyRow[]): Promise<WriteOutcome> {
    return this.run(copy.writeRows(table, rows), 'write');
  }

  writeEntities(entities: readonly CopyRow[], parts: Readonly<Record<EntityPart, readonly CopyRow[]>>): Promise<Record<'entities' | EntityPart, WriteOutcome>> {
    return this.run(copy.writeEntities(entities, parts), 'write');
  }

  insertConsoleCredential(row: ConsoleCredential, nowMs: number): Promise<void> {
    return this.run(consoleRows.insertConsoleCredential(row, nowMs), 'write');
  }

  findConsoleCredential(hash: string): Promise<ConsoleCredential | undefined> {
    return this.run(consoleRows.findConsoleCredential(hash), 'read');
  }

  deleteConsoleCredential(hash: string): Promise<void> {
    return this.run(consoleRows.deleteConsoleCredential(hash), 'write');
  }

  listTenantFiles(tenantKey: string, before: { createdAtMs: number; fileToken: string } | null, limit: number): Promise<ConsoleFileRow[]> {
    return this.run(consoleRows.listTenantFiles(tenantKey, before, limit), 'read');
  }
}
