import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, whenSignedOut } from './api.js';
import { Admin } from './pages/admin.js';
import { Drafts } from './pages/drafts.js';
import { Entries } from './pages/entries.js';
import { EntryPage, NewEntry } from './pages/entry.js';
import { Images } from './pages/images.js';
import { SignIn, type SessionInfo } from './pages/sign-in.js';
import { interceptLinks, navigate, usePath } from './router.js';
import './style.css';

function Route({ path }: { path: string }) {
  const url = new URL(path, location.origin);
  const entry = /^\/console\/entries\/([^/]+)$/.exec(url.pathname);
  if (url.pathname === '/console/entries/new') return <NewEntry query={url.searchParams} />;
  if (entry) return <EntryPage id={decodeURIComponent(entry[1]!)} />;
  if (url.pathname === '/console/images') return <Images />;
  if (url.pathname === '/console/drafts') return <Drafts />;
  if (url.pathname === '/console/admin') return <Admin />;
  return <Entries query={url.searchParams} />;
}

function App() {
  const path = usePath();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  useEffect(() => {
    whenSignedOut(() => (setSession(null), navigate('/console/sign-in')));
    api<SessionInfo>('GET', '/session').then(
      (s) => (setCsrfToken(s.csrf_token), setSession(s)),
      () => setSession(null),
    );
  }, []);
  if (session === undefined) return <p role="status">Loading…</p>;
  if (session === null || path.startsWith('/console/sign-in')) {
    return (
      <main id="main">
        <SignIn onSignedIn={(s) => (setSession(s), navigate('/console/entries'))} />
      </main>
    );
  }
  const signOut = () => void api('DELETE', '/session').finally(() => (setSession(null), navigate('/console/sign-in')));
  const link = (href: string, text: string) => (
    <a href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>
      {text}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Console">
          <strong>Lingo console</strong>
          {link('/console/entries', 'Entries')}
          {link('/console/images', 'Images')}
          {link('/console/drafts', 'Drafts')}
          {link('/console/admin', 'Admin')}
          <span class="muted">tenant {session.tenant_key}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Route path={path} />
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
interceptLinks(root);
render(<App />, root);
