import type { ClassificationRecord, RepoRecord } from '../model.js';
import { classificationFromRow, repoFromRow, type ClassificationRow, type RepoRow } from './records.js';
import { all, exec, idKey, one, placeholders, type Program } from './program.js';

export const companyRepoName = '全员词库';

export function* findCompanyRepo(tenantKey: string): Program<RepoRecord | undefined> {
  const row = yield* one<RepoRow>('SELECT * FROM repos WHERE tenant_key = ? AND company_wide', tenantKey);
  return row && repoFromRow(row);
}

/**
 * The unique partial index on company-wide repos makes the second of two concurrent inserts (on
 * any instance) wait for the first and do nothing; the SELECT after it then sees the winner's row.
 */
export function* createCompanyRepo(tenantKey: string): Program<RepoRecord> {
  yield* exec(
    'INSERT INTO repos (tenant_key, name, company_wide) VALUES (?, ?, TRUE) ON CONFLICT (tenant_key) WHERE company_wide DO NOTHING',
    tenantKey,
    companyRepoName,
  );
  const repo = yield* findCompanyRepo(tenantKey);
  if (!repo) throw new Error(`the company-wide repo of ${tenantKey} is missing right after its insert`);
  return repo;
}

export function* createRepo(tenantKey: string, name: string): Program<RepoRecord> {
  const row = yield* one<RepoRow>('INSERT INTO repos (tenant_key, name, company_wide) VALUES (?, ?, FALSE) RETURNING *', tenantKey, name);
  return repoFromRow(row!);
}

export function* findRepo(repoId: string): Program<RepoRecord | undefined> {
  const id = idKey(repoId);
  if (id === undefined) return undefined;
  const row = yield* one<RepoRow>('SELECT * FROM repos WHERE id = ?', id);
  return row && repoFromRow(row);
}

/** Throws (a foreign key) when the repo does not exist. */
export function* grantRepo(repoId: string, appId: string): Program<void> {
  const id = idKey(repoId);
  if (id === undefined) throw new Error(`no repo ${repoId}`);
  yield* exec('INSERT INTO repo_grants (repo_id, app_id) VALUES (?, ?) ON CONFLICT (repo_id, app_id) DO NOTHING', id, appId);
}

/** Whether a grant row exists: the company-wide repo needs none, which the caller checks. */
export function* isRepoGranted(repoId: string, appId: string): Program<boolean> {
  const id = idKey(repoId);
  if (id === undefined) return false;
  return (yield* one('SELECT 1 AS granted FROM repo_grants WHERE repo_id = ? AND app_id = ?', id, appId)) !== undefined;
}

/** The tenant's repos other than the company-wide one, by id; with `appId`, those granted to it. */
export function* listOtherRepos(tenantKey: string, appId: string | null): Program<RepoRecord[]> {
  const rows =
    appId === null
      ? yield* all<RepoRow>('SELECT * FROM repos WHERE tenant_key = ? AND NOT company_wide ORDER BY id', tenantKey)
      : yield* all<RepoRow>(
          `SELECT r.* FROM repos r JOIN repo_grants g ON g.repo_id = r.id
           WHERE r.tenant_key = ? AND NOT r.company_wide AND g.app_id = ? ORDER BY r.id`,
          tenantKey,
          appId,
        );
  return rows.map(repoFromRow);
}

/** Throws (a foreign key) when the repo or the father does not exist. */
export function* createClassification(row: Omit<ClassificationRecord, 'id'>): Program<ClassificationRecord> {
  const repoId = idKey(row.repoId);
  const fatherId = row.fatherId === null ? null : idKey(row.fatherId);
  if (repoId === undefined || fatherId === undefined) throw new Error(`no repo ${row.repoId} or no classification ${String(row.fatherId)}`);
  const created = yield* one<ClassificationRow>(
    'INSERT INTO classifications (repo_id, name, father_id, i18n_names) VALUES (?, ?, ?, ?) RETURNING *',
    repoId,
    row.name,
    fatherId,
    JSON.stringify(row.i18nNames),
  );
  return classificationFromRow(created!);
}

export function* listClassifications(repoId: string, afterId: string | null, limit: number): Program<ClassificationRecord[]> {
  const id = idKey(repoId);
  const after = afterId === null ? 0 : idKey(afterId);
  if (id === undefined || after === undefined) return [];
  const rows = yield* all<ClassificationRow>('SELECT * FROM classifications WHERE repo_id = ? AND id > ? ORDER BY id LIMIT ?', id, after, limit);
  return rows.map(classificationFromRow);
}

export function* findClassifications(repoId: string, ids: readonly string[]): Program<ClassificationRecord[]> {
  const id = idKey(repoId);
  const keys = [...new Set(ids.map(idKey).filter((k) => k !== undefined))];
  if (id === undefined || keys.length === 0) return [];
  const rows = yield* all<ClassificationRow>(
    `SELECT * FROM classifications WHERE repo_id = ? AND id IN (${placeholders(keys.length)}) ORDER BY id`,
    id,
    ...keys,
  );
  return rows.map(classificationFromRow);
}
