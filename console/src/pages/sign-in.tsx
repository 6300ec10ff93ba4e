import { useState } from 'preact/hooks';
import { api, errorText, setCsrfToken } from '../api.js';
import { ErrorBox, Page } from '../ui.js';

export interface SessionInfo {
  tenant_key: string;
  expire: number;
  csrf_token: string;
}

/** The token may come in the URL's fragment (serve's sign-in URL): never sent to the server, then removed. */
function tokenFromFragment(): string {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  if (token) history.replaceState(null, '', location.pathname);
  return token;
}

export function SignIn({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const [token, setToken] = useState(tokenFromFragment);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<SessionInfo>('POST', '/session', { console_token: token.trim() });
      setCsrfToken(session.csrf_token);
      onSignedIn(session);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Sign in">
      <form onSubmit={(e) => void submit(e)} class="card narrow">
        <p>
          Paste a console token from <code>lingo-server console token --tenant KEY</code>.
        </p>
        <label for="console-token">Console token</label>
        <input id="console-token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorBox error={error} />
      </form>
    </Page>
  );
}
