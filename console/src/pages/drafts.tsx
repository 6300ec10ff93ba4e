import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import type { Draft, Entity } from '../types.js';
import { ErrorBox, Page, useLoad } from '../ui.js';

/** The fields a reviewer compares, as text. */
function rows(e: Entity | null): Record<string, string> {
  if (!e) return {};
  const m = e.related_meta ?? {};
  return {
    'Main key': e.main_keys.map((k) => k.key).join(', '),
    Aliases: e.aliases.map((k) => k.key).join(', '),
    Description: e.description,
    'Rich text': e.rich_text ?? '',
    Classifications: (m.classifications ?? []).map((c) => c.id).join(', '),
    Images: (m.images ?? []).map((i) => i.token).join(', '),
    'Outer info': e.outer_info ? `${e.outer_info.provider} / ${e.outer_info.outer_id}` : '',
  };
}

function Comparison({ draft }: { draft: Draft }) {
  const proposed = rows(draft.entity);
  const current = rows(draft.current);
  return (
    <table class="diff">
      <caption class="visually-hidden">Proposed entry beside the current one</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Proposed</th>
          {draft.current && <th scope="col">Current</th>}
        </tr>
      </thead>
      <tbody>
        {Object.keys(proposed).map((field) => {
          const changed = draft.current !== null && proposed[field] !== current[field];
          return (
            <tr key={field} class={changed ? 'changed' : ''}>
              <th scope="row">
                {field}
                {changed && <span class="badge"> changed</span>}
              </th>
              <td>{changed ? <mark>{proposed[field]}</mark> : proposed[field]}</td>
              {draft.current && <td>{current[field]}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Pending drafts; Approve and Reject post the draft_id and do what `lingo-server draft approve|reject` does. */
export function Drafts() {
  const list = useLoad(() => api<{ drafts: Draft[] }>('GET', '/drafts?state=pending').then((d) => d.drafts), []);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const review = async (draft: Draft, action: 'approve' | 'reject') => {
    setError(null);
    try {
      const r = await api<{ draft_id: string; state: string; entity: Entity | null }>('POST', `/drafts/${draft.draft_id}/${action}`);
      setDone(`Draft ${r.draft_id} (${draft.entity.main_keys[0]?.key ?? ''}) ${r.state}${r.entity ? `: entry ${r.entity.id}` : ''}.`);
      list.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Page title="Drafts">
      {done && (
        <p role="status" class="ok">
          {done}
        </p>
      )}
      <ErrorBox error={list.error ?? error} />
      {list.data?.length === 0 && <p>No pending drafts.</p>}
      <ol class="drafts">
        {list.data?.map((d) => (
          <li key={d.draft_id} class="card">
            <h2>
              {d.entity.main_keys[0]?.key} <span class="muted">draft {d.draft_id}</span>
            </h2>
            <p class="muted">
              {d.current ? `Updates entry ${d.current.id}` : 'Creates a new entry'} · submitted by {d.entity.creator}
            </p>
            <Comparison draft={d} />
            <div class="actions">
              <button type="button" onClick={() => void review(d, 'approve')} aria-label={`Approve draft ${d.draft_id} (${d.entity.main_keys[0]?.key ?? ''})`}>
                Approve
              </button>
              <button type="button" onClick={() => void review(d, 'reject')} aria-label={`Reject draft ${d.draft_id} (${d.entity.main_keys[0]?.key ?? ''})`}>
                Reject
              </button>
            </div>
          </li>
        ))}
      </ol>
    </Page>
  );
}
