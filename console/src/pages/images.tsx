import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { StoredFile } from '../types.js';
import { ErrorBox, formatBytes, Page, useLoad } from '../ui.js';
import { DropUploader } from './uploader.js';

function snippets(token: string): { curl: string; sdk: string } {
  const base = location.origin;
  return {
    curl: `curl -s -H "Authorization: Bearer $TENANT_ACCESS_TOKEN" -o image ${base}/open-apis/lingo/v1/files/${token}/download`,
    sdk: `const res = await client.lingo.v1.file.download({ path: { file_token: '${token}' } });\nawait res.writeFile('image');`,
  };
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true))}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/** Upload, then the tenant's gallery: thumbnails made on the server, the row's facts, and how to fetch each file. */
export function Images() {
  const [before, setBefore] = useState<string[]>([]);
  const cursor = before.at(-1);
  const list = useLoad(() => api<{ files: StoredFile[]; before?: string }>('GET', `/files${cursor ? `?before=${encodeURIComponent(cursor)}` : ''}`), [cursor]);
  return (
    <Page title="Images">
      <DropUploader label="Upload" onUploaded={() => before.length === 0 && list.reload()} />
      <ErrorBox error={list.error} />
      <ul class="gallery files" aria-label="Gallery">
        {list.data?.files.map((f) => {
          const s = snippets(f.file_token);
          return (
            <li key={f.file_token} class="card">
              <a href={`/console/api/files/${encodeURIComponent(f.file_token)}/content`} target="_blank">
                <img class="thumbnail" src={`/console/api/files/${encodeURIComponent(f.file_token)}/thumbnail`} alt={f.name} />
              </a>
              <p class="name">{f.name}</p>
              <p class="muted">
                {f.format.toUpperCase()} · {formatBytes(f.size)} · {f.width}×{f.height}
              </p>
              <p>
                <code class="file-token">{f.file_token}</code> <CopyButton text={f.file_token} label={`Copy file_token of ${f.name}`} />
              </p>
              <details>
                <summary>Fetch it</summary>
                <pre>{s.curl}</pre>
                <pre>{s.sdk}</pre>
              </details>
            </li>
          );
        })}
      </ul>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={before.length === 0} onClick={() => setBefore(before.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!list.data?.before} onClick={() => list.data?.before && setBefore([...before, list.data.before])}>
          Older
        </button>
      </nav>
    </Page>
  );
}
