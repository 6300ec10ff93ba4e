import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { ErrorBox, Page, useLoad } from '../ui.js';
import { useClassifications, useRepos } from './entries.js';

interface AppInfo {
  app_id: string;
  name: string;
  scopes: string[];
}
interface Credentials {
  app_id: string;
  app_secret: string;
  tenant_key: string;
}

const scopeChoices = ['baike:entity', 'baike:entity:exempt_review', 'baike:entity:exempt_delete', 'baike:entity:readonly'];

/** A form that posts once and reports the API's answer: success text, or the API's message. */
function useAction() {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (act: () => Promise<string>) => {
    setMessage(null);
    setError(null);
    try {
      setMessage(await act());
    } catch (err) {
      setError(errorText(err));
    }
  };
  const view = (
    <>
      {message && (
        <p role="status" class="ok">
          {message}
        </p>
      )}
      <ErrorBox error={error} />
    </>
  );
  return { run, view };
}

/** Repos, grants, classifications and apps of the tenant. */
export function Admin() {
  const repos = useRepos();
  const apps = useLoad(() => api<{ apps: AppInfo[] }>('GET', '/apps').then((d) => d.apps), []);
  const [repoName, setRepoName] = useState('');
  const [grantRepo, setGrantRepo] = useState('');
  const [grantApp, setGrantApp] = useState('');
  const [classRepo, setClassRepo] = useState('');
  const [className, setClassName] = useState('');
  const [parent, setParent] = useState('');
  const [appName, setAppName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['baike:entity']);
  const [creds, setCreds] = useState<Credentials | null>(null);
  const classRepoId = classRepo || repos.data?.[0]?.id || '';
  const classifications = useClassifications(classRepoId);
  const [repoAct, grantAct, classAct, appAct] = [useAction(), useAction(), useAction(), useAction()];

  return (
    <Page title="Admin">
      <h2>Repos</h2>
      <ul>
        {repos.data?.map((r) => (
          <li key={r.id}>
            {r.name}{' '}
            <span class="muted">
              (id {r.id}
              {r.company_wide ? ', company-wide' : ''})
            </span>
          </li>
        ))}
      </ul>
      <form
        class="card"
        onSubmit={(e) => (
          e.preventDefault(),
          void repoAct.run(async () => {
            const { repo } = await api<{ repo: { id: string; name: string } }>('POST', '/repos', { name: repoName });
            repos.reload();
            return `Created repo ${repo.name} (id ${repo.id}).`;
          })
        )}
      >
        <label>
          New repo name
          <input value={repoName} onInput={(e) => setRepoName(e.currentTarget.value)} />
        </label>
        <button type="submit">Create repo</button>
        {repoAct.view}
      </form>
      <form
        class="card"
        onSubmit={(e) => (
          e.preventDefault(),
          void grantAct.run(async () => {
            await api('POST', `/repos/${grantRepo}/grants`, { app_id: grantApp });
            return `App ${grantApp} may now read and write repo ${grantRepo}.`;
          })
        )}
      >
        <label>
          Repo to grant
          <select value={grantRepo} onChange={(e) => setGrantRepo(e.currentTarget.value)}>
            <option value="">choose</option>
            {repos.data
              ?.filter((r) => !r.company_wide)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          App
          <select value={grantApp} onChange={(e) => setGrantApp(e.currentTarget.value)}>
            <option value="">choose</option>
            {apps.data?.map((a) => (
              <option key={a.app_id} value={a.app_id}>{`${a.name} (${a.app_id})`}</option>
            ))}
          </select>
        </label>
        <button type="submit">Grant</button>
        {grantAct.view}
      </form>
      <h2>Classifications</h2>
      <form
        class="card"
        onSubmit={(e) => (
          e.preventDefault(),
          void classAct.run(async () => {
            const { classification } = await api<{ classification: { id: string; name: string } }>('POST', `/repos/${classRepoId}/classifications`, {
              name: className,
              father_id: parent || null,
            });
            classifications.reload();
            return `Created classification ${classification.name} (id ${classification.id}).`;
          })
        )}
      >
        <label>
          Repo
          <select value={classRepoId} onChange={(e) => setClassRepo(e.currentTarget.value)}>
            {repos.data?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Classification name
          <input value={className} onInput={(e) => setClassName(e.currentTarget.value)} />
        </label>
        <label>
          Parent (for a second-level one)
          <select value={parent} onChange={(e) => setParent(e.currentTarget.value)}>
            <option value="">none: first level</option>
            {classifications.data
              ?.filter((c) => !c.father_id)
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        <button type="submit">Create classification</button>
        {classAct.view}
      </form>
      <h2>Apps</h2>
      <ul>
        {apps.data?.map((a) => (
          <li key={a.app_id}>
            {a.name} <code>{a.app_id}</code> <span class="muted">{a.scopes.join(', ')}</span>
          </li>
        ))}
      </ul>
      <form
        class="card"
        onSubmit={(e) => (
          e.preventDefault(),
          void appAct.run(async () => {
            const { app } = await api<{ app: Credentials }>('POST', '/apps', { name: appName, scopes });
            setCreds(app);
            apps.reload();
            return `Created app ${app.app_id}.`;
          })
        )}
      >
        <label>
          App name
          <input value={appName} onInput={(e) => setAppName(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {scopeChoices.map((s) => (
            <label class="check" key={s}>
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <button type="submit">Create app</button>
        {appAct.view}
        {creds && (
          <div class="card credentials" role="region" aria-label="New app credentials">
            <p>Shown once: the secret is not stored.</p>
            <p>
              app_id <code>{creds.app_id}</code>
            </p>
            <p>
              app_secret <code>{creds.app_secret}</code>
            </p>
          </div>
        )}
      </form>
    </Page>
  );
}
