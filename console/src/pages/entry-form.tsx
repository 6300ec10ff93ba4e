import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { navigate } from '../router.js';
import type { Entity, Term } from '../types.js';
import { ErrorBox } from '../ui.js';
import { useClassifications } from './entries.js';
import { DropUploader } from './uploader.js';

const term = (key: string, old?: Term): Term => ({ key, display_status: old?.display_status ?? { allow_highlight: true, allow_search: true } });
const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Create, or edit as a full replace (as the API's PUT): the entity's other fields (links, users,
 * full names, i18n descriptions) are sent back as they were. The API's messages are shown as is.
 */
export function EntryForm({ repoId, entity, onSaved }: { repoId: string; entity?: Entity; onSaved?: (saved: Entity) => void }) {
  const [mainKey, setMainKey] = useState(entity?.main_keys[0]?.key ?? '');
  const [aliases, setAliases] = useState(entity?.aliases.map((a) => a.key).join(', ') ?? '');
  const [description, setDescription] = useState(entity?.description ?? '');
  const [richText, setRichText] = useState(entity?.rich_text ?? '');
  const [picked, setPicked] = useState<Set<string>>(new Set(entity?.related_meta?.classifications?.map((c) => c.id) ?? []));
  const [images, setImages] = useState<string[]>(entity?.related_meta?.images?.map((i) => i.token) ?? []);
  const [provider, setProvider] = useState(entity?.outer_info?.provider ?? '');
  const [outerId, setOuterId] = useState(entity?.outer_info?.outer_id ?? '');
  const [error, setError] = useState<string | null>(null);
  const classifications = useClassifications(repoId);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const chosen = (classifications.data ?? []).filter((c) => picked.has(c.id));
    const body = {
      ...entity,
      main_keys: [term(mainKey.trim(), entity?.main_keys[0])],
      aliases: splitList(aliases).map((a) =>
        term(
          a,
          entity?.aliases.find((x) => x.key === a),
        ),
      ),
      description: description || undefined,
      rich_text: richText || undefined,
      related_meta: {
        ...entity?.related_meta,
        classifications: chosen.map((c) => ({ id: c.id, ...(c.father_id && { father_id: c.father_id }) })),
        images: images.map((token) => ({ token })),
      },
      outer_info: provider || outerId ? { provider, outer_id: outerId } : undefined,
    };
    try {
      const saved = entity
        ? await api<{ entity: Entity }>('PUT', `/entities/${entity.id}`, body)
        : await api<{ entity: Entity }>('POST', `/entities?repo_id=${repoId}`, body);
      if (onSaved) onSaved(saved.entity);
      else navigate(`/console/entries/${saved.entity.id}`);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <form class="card entry-form" onSubmit={(e) => void submit(e)}>
      <label>
        Main key
        <input value={mainKey} onInput={(e) => setMainKey(e.currentTarget.value)} />
      </label>
      <label>
        Aliases (comma-separated)
        <input value={aliases} onInput={(e) => setAliases(e.currentTarget.value)} />
      </label>
      <label>
        Description
        <textarea rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <label>
        Rich text (HTML)
        <textarea rows={4} value={richText} onInput={(e) => setRichText(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Classifications</legend>
        {classifications.data?.length === 0 && <p class="muted">This repo has no classifications.</p>}
        {classifications.data?.map((c) => (
          <label class="check" key={c.id}>
            <input
              type="checkbox"
              checked={picked.has(c.id)}
              onChange={(e) => {
                const next = new Set(picked);
                if (e.currentTarget.checked) next.add(c.id);
                else next.delete(c.id);
                setPicked(next);
              }}
            />
            {c.father_id ? `— ${c.name}` : c.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Images</legend>
        <ul class="tokens">
          {images.map((t) => (
            <li key={t}>
              <img src={`/console/api/files/${encodeURIComponent(t)}/thumbnail`} alt="" width={48} height={48} />
              <code>{t}</code>
              <button type="button" onClick={() => setImages(images.filter((x) => x !== t))}>
                Remove image {t}
              </button>
            </li>
          ))}
        </ul>
        <DropUploader label="Add images" onUploaded={(token) => setImages((list) => [...list, token])} />
      </fieldset>
      <fieldset>
        <legend>Outer info</legend>
        <label>
          Provider
          <input value={provider} onInput={(e) => setProvider(e.currentTarget.value)} />
        </label>
        <label>
          Outer id
          <input value={outerId} onInput={(e) => setOuterId(e.currentTarget.value)} />
        </label>
      </fieldset>
      <button type="submit">{entity ? 'Save' : 'Create entry'}</button>
      <ErrorBox error={error} />
    </form>
  );
}
