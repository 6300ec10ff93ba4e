import type { TestServer } from './server.js';

/** A signed-in console client over plain HTTP: the session cookie and its CSRF token. */
export interface ConsoleClient {
  cookie: string;
  csrf: string;
  tenantKey: string;
  /** fetch with the cookie (and, unless told otherwise, the CSRF header) attached. */
  call(path: string, init?: RequestInit & { csrf?: boolean; json?: unknown }): Promise<Response>;
}

export async function signInConsole(server: TestServer, tenantKey: string): Promise<ConsoleClient> {
  const { token } = await server.app.console.issueToken(tenantKey, 600);
  const res = await fetch(`${server.baseUrl}/console/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ console_token: token }),
  });
  if (res.status !== 200) throw new Error(`console sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = ((await res.json()) as { data: { csrf_token: string } }).data.csrf_token;
  return {
    cookie,
    csrf,
    tenantKey,
    call: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('Cookie', cookie);
      if (init.csrf !== false) headers.set('X-Console-Csrf', csrf);
      if (init.json !== undefined) headers.set('Content-Type', 'application/json');
      return fetch(`${server.baseUrl}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body, redirect: 'manual' });
    },
  };
}
