import { useState } from 'preact/hooks';
import { errorText, uploadFile } from '../api.js';
import { uploadRefusal } from '../upload-check.js';

interface Upload {
  id: number;
  name: string;
  progress: number;
  token?: string;
  refused?: string;
}

let nextId = 1;

/**
 * A file picker and a drop zone for one or many images: each file is checked in the browser with
 * the server's rules, then sent with its own progress bar; its file_token, or the server's (or the
 * shared rules') reason, is shown beside its name.
 */
export function DropUploader({ label, onUploaded }: { label: string; onUploaded?: (token: string) => void }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const patch = (id: number, change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const send = async (file: File) => {
    const id = nextId++;
    setUploads((list) => [...list, { id, name: file.name, progress: 0 }]);
    const refused = await uploadRefusal(file).catch((err: unknown) => errorText(err));
    if (refused) return patch(id, { refused });
    try {
      const token = await uploadFile(file, (progress) => patch(id, { progress }));
      patch(id, { token, progress: 1 });
      onUploaded?.(token);
    } catch (err) {
      patch(id, { refused: errorText(err) });
    }
  };
  const sendAll = (files: FileList | null) => {
    for (const f of Array.from(files ?? [])) void send(f);
  };
  const inputId = `upload-${label.replace(/\W+/g, '-')}`;

  return (
    <div
      class={`drop-zone${over ? ' over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        sendAll(e.dataTransfer?.files ?? null);
      }}
    >
      <label for={inputId}>{label}</label>
      <input id={inputId} type="file" accept="image/*" multiple onChange={(e) => (sendAll(e.currentTarget.files), (e.currentTarget.value = ''))} />
      <p class="muted">or drop image files here</p>
      <ul class="uploads" aria-live="polite">
        {uploads.map((u) => (
          <li key={u.id} class={u.refused ? 'refused' : u.token ? 'done' : ''}>
            <span class="name">{u.name}</span>{' '}
            {u.refused ? (
              <span class="error">refused: {u.refused}</span>
            ) : u.token ? (
              <span>
                file_token <code class="file-token">{u.token}</code>
              </span>
            ) : (
              <progress max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
