import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { RichText } from '../rich-text.js';
import { navigate } from '../router.js';
import type { Entity } from '../types.js';
import { ErrorBox, Page, sources, useLoad } from '../ui.js';
import { EntryForm } from './entry-form.js';

export function NewEntry({ query }: { query: URLSearchParams }) {
  return (
    <Page title="New entry">
      <EntryForm repoId={query.get('repo_id') ?? ''} />
    </Page>
  );
}

/** One entry: every field, rich text sanitised, images as thumbnails linking to full size; edit and delete. */
export function EntryPage({ id }: { id: string }) {
  const loaded = useLoad(() => api<{ entity: Entity; repo_id?: string }>('GET', `/entities/${encodeURIComponent(id)}`), [id]);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const e = loaded.data?.entity;
  const remove = async () => {
    try {
      await api('DELETE', `/entities/${encodeURIComponent(id)}`);
      navigate('/console/entries');
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (!e) return <Page title="Entry">{<ErrorBox error={loaded.error} />}</Page>;
  if (editing) {
    return (
      <Page title={`Edit ${e.main_keys[0]?.key ?? ''}`}>
        <EntryForm repoId={loaded.data?.repo_id ?? ''} entity={e} onSaved={() => (setEditing(false), loaded.reload())} />
      </Page>
    );
  }
  const meta = e.related_meta ?? {};
  return (
    <Page title={e.main_keys[0]?.key ?? e.id}>
      <dl class="card fields">
        <dt>Id</dt>
        <dd>
          <code>{e.id}</code>
        </dd>
        <dt>Main keys</dt>
        <dd>{e.main_keys.map((k) => k.key).join(', ')}</dd>
        <dt>Aliases</dt>
        <dd>{e.aliases.map((k) => k.key).join(', ') || '—'}</dd>
        <dt>Description</dt>
        <dd>{e.description || '—'}</dd>
        <dt>Rich text</dt>
        <dd>{e.rich_text ? <RichText html={e.rich_text} /> : '—'}</dd>
        <dt>Related entries</dt>
        <dd>
          {(meta.abbreviations ?? []).length === 0
            ? '—'
            : meta.abbreviations!.map((a) => (
                <a key={a.id} href={`/console/entries/${a.id}`} class="chip">
                  {a.id}
                </a>
              ))}
        </dd>
        <dt>Classifications</dt>
        <dd>{(meta.classifications ?? []).map((c) => c.id).join(', ') || '—'}</dd>
        <dt>Outer info</dt>
        <dd>{e.outer_info ? `${e.outer_info.provider} / ${e.outer_info.outer_id}` : '—'}</dd>
        <dt>Source</dt>
        <dd>
          {sources[e.source ?? 0] ?? '—'} · creator {e.creator ?? '—'} · updater {e.updater ?? '—'}
        </dd>
      </dl>
      <h2>Images</h2>
      <ul class="gallery" aria-label="Images of this entry">
        {(meta.images ?? []).map(({ token }) => (
          <li key={token}>
            <a href={`/console/api/files/${encodeURIComponent(token)}/content`} target="_blank">
              <img class="thumbnail" src={`/console/api/files/${encodeURIComponent(token)}/thumbnail`} alt={`Image ${token}`} />
            </a>
          </li>
        ))}
      </ul>
      <div class="actions">
        <button type="button" onClick={() => setEditing(true)}>
          Edit
        </button>
        {confirming ? (
          <button type="button" class="danger" onClick={() => void remove()}>
            Confirm delete
          </button>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      <ErrorBox error={error} />
    </Page>
  );
}
