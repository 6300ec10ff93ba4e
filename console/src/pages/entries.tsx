import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { navigate } from '../router.js';
import type { Classification, Entity, Repo } from '../types.js';
import { ErrorBox, Page, sources, useLoad } from '../ui.js';

interface EntityPage {
  entities: Entity[];
  page_token?: string;
  has_more: boolean;
}

/** Shared by the pages that pick a repo: the tenant's repos, the company-wide one first. */
export function useRepos() {
  return useLoad(() => api<{ repos: Repo[] }>('GET', '/repos').then((d) => d.repos), []);
}

export function useClassifications(repoId: string) {
  return useLoad(
    () => (repoId ? api<{ classifications: Classification[] }>('GET', `/repos/${repoId}/classifications`).then((d) => d.classifications) : Promise.resolve([])),
    [repoId],
  );
}

/** Entries of one repo: search, filters by classification and source, pages (page tokens kept for going back). */
export function Entries({ query }: { query: URLSearchParams }) {
  const repos = useRepos();
  const repoId = query.get('repo_id') ?? repos.data?.[0]?.id ?? '';
  const [search, setSearch] = useState(query.get('query') ?? '');
  const [classification, setClassification] = useState('');
  const [source, setSource] = useState('');
  const [pages, setPages] = useState<string[]>([]);
  const classifications = useClassifications(repoId);
  const params = new URLSearchParams({ repo_id: repoId, page_size: '20' });
  if (search.trim()) params.set('query', search.trim());
  if (classification) params.set('classification_id', classification);
  if (source) params.set('source', source);
  const token = pages.at(-1);
  if (token) params.set('page_token', token);
  const list = useLoad(() => (repoId ? api<EntityPage>('GET', `/entities?${params.toString()}`) : Promise.resolve(undefined)), [params.toString()]);
  const reset = () => setPages([]);
  return (
    <Page title="Entries">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Repo
          <select value={repoId} onChange={(e) => (reset(), navigate(`/console/entries?repo_id=${e.currentTarget.value}`))}>
            {repos.data?.map((r) => (
              <option value={r.id} key={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input type="search" value={search} onInput={(e) => (reset(), setSearch(e.currentTarget.value))} />
        </label>
        <label>
          Classification
          <select value={classification} onChange={(e) => (reset(), setClassification(e.currentTarget.value))}>
            <option value="">any</option>
            {classifications.data?.map((c) => (
              <option value={c.id} key={c.id}>
                {c.father_id ? `— ${c.name}` : c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select value={source} onChange={(e) => (reset(), setSource(e.currentTarget.value))}>
            <option value="">any</option>
            {Object.entries(sources).map(([k, v]) => (
              <option value={k} key={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p>
        <a href={`/console/entries/new?repo_id=${repoId}`}>New entry</a>
      </p>
      <ErrorBox error={repos.error ?? list.error} />
      <ul class="entry-list" aria-label="Entries found">
        {list.data?.entities.map((e) => (
          <li key={e.id}>
            <a href={`/console/entries/${e.id}`}>{e.main_keys[0]?.key}</a>
            {e.aliases.length > 0 && <span class="muted"> ({e.aliases.map((a) => a.key).join(', ')})</span>}
            <p class="muted">{e.description.slice(0, 140)}</p>
          </li>
        ))}
      </ul>
      {list.data?.entities.length === 0 && <p>No entries.</p>}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!list.data?.has_more} onClick={() => list.data?.page_token && setPages([...pages, list.data.page_token])}>
          Next page
        </button>
      </nav>
    </Page>
  );
}
