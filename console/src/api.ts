/** The console's JSON API client: same-origin fetch with the session's CSRF token on every change. */
export interface Violation {
  field: string;
  description: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly violations: Violation[],
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

interface Envelope<T> {
  code: number;
  msg: string;
  data?: T;
  error?: { field_violations?: Violation[] };
}

/** The API's own message: each field violation as `field: description`, else its msg. */
export function failureOf(status: number, body: Envelope<unknown>): ApiFailure {
  const violations = body.error?.field_violations ?? [];
  const text = violations.length > 0 ? violations.map((v) => `${v.field}: ${v.description}`).join('; ') : body.msg;
  return new ApiFailure(status, body.code, violations, text);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Console-Csrf'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/console/api${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Envelope<T>;
  if (json.code !== 0) {
    if (res.status === 401 && path !== '/session') onSignedOut();
    throw failureOf(res.status, json);
  }
  return json.data as T;
}

/** multipart upload with progress (fetch has none for request bodies); resolves to the file_token. */
export function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/console/api/files');
    xhr.setRequestHeader('X-Console-Csrf', csrfToken);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiFailure(0, 0, [], 'network error'));
    xhr.onload = () => {
      const body = xhr.response as Envelope<{ file_token: string }> | null;
      if (body && body.code === 0 && body.data) resolve(body.data.file_token);
      else reject(failureOf(xhr.status, body ?? { code: 0, msg: `HTTP ${xhr.status}` }));
    };
    const form = new FormData();
    form.append('name', file.name);
    form.append('file', file);
    xhr.send(form);
  });
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
